import type {HttpAnswer} from '../../src/lib/proxy/http.js'
import type {LiveService} from '../../src/lib/proxy/client.js'

/**
 * One ServiceDest as the real docker-flow-proxy reports it in `config?type=json` (and in its
 * reconfigure answers): every field present, Go zero values where nothing was sent (slices built by
 * getSliceFromString are [] not null, PathType is "" when not given, Port a string, SrcPort a number).
 */
export function liveDest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    AllowedMethods: [], BalanceGroup: '', CheckTCP: false, Clitcpka: false, DeniedMethods: [], DenyHttp: false, HttpsOnly: false, HttpsPort: 0,
    HttpsRedirectCode: '', IgnoreAuthorization: false, OutboundHostname: '', PathType: '', Port: '', RedirectFromDomain: [], ReqMode: 'http',
    ReqModeFormatted: '', ReqPathSearchReplace: '', ServiceDomain: [], ServiceGroup: '', ServiceHeader: {}, ServicePath: [], ServicePathExclude: [],
    SrcPort: 0, SrcHttpsPort: 0, SrcPortAcl: '', SrcPortAclName: '', SrcHttpsPortAcl: '', SrcHttpsPortAclName: '', SslVerifyNone: false,
    TimeoutServer: '', TimeoutClient: '', TimeoutTunnel: '', VerifyClientSsl: false, UserAgent: {Value: null, AclName: ''}, UserDef: '', Index: 0,
    ReqPathSearchReplaceFormatted: [], IncludeSrcPortACL: false, IncludeSrcHttpsPortACL: false,
    ...overrides,
  }
}

/** A service as the real proxy holds it in memory: AclName "" unless sent, IsGlobal when no replicas were sent. */
export function liveService(name: string, dests: Record<string, unknown>[], overrides: Record<string, unknown> = {}): LiveService {
  return {
    AclName: '', AddReqHeader: null, AddResHeader: null, BackendExtra: '', CheckResolvers: false, CompressionAlgo: '', CompressionType: '',
    ConnectionMode: '', Debug: false, DebugFormat: '', DelReqHeader: null, DelResHeader: null, DiscoveryType: '', Distribute: false,
    IsDefaultBackend: false, ProxyInstanceName: '', RedirectWhenHttpProto: false, Replicas: 0, ReqPathReplace: '', ReqPathSearch: '',
    ServiceCert: '', ServiceDomainAlgo: '', ServiceName: name, SessionType: '', SetReqHeader: null, SetResHeader: null, TemplateBePath: '',
    TemplateFePath: '', UseGlobalUsers: false, Users: null, ServicePort: '', AclCondition: '', IsGlobal: true, LookupRetry: 0,
    LookupRetryInterval: 0, ServiceDest: dests, Tasks: null,
    ...overrides,
  }
}

/** The reconfigure answer body the real proxy sends (as text/plain): Status, Message, ServiceName and the service flattened. */
export function reconfigureAnswer(status: number, message: string, service: LiveService = liveService('go-demo', [])): HttpAnswer {
  return {status, contentType: 'text/plain; charset=utf-8', body: JSON.stringify({Status: status === 200 ? 'OK' : 'NOK', Message: message, ...service})}
}
