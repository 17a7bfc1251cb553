import {Args, Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {colour} from '../../lib/ui/output.js'
import {type RouteAddResult, addRoute, checkRouteInput} from '../../lib/route/add.js'
import {renderReplicaRows, renderVerifyRows} from '../../lib/route/render.js'
import {SwarmnetError} from '../../lib/core/errors.js'
import {proxyFlag, verboseFlag, waitFlag, waitMsOf} from '../../lib/proxy/flags.js'

export default class RouteAdd extends SwarmnetCommand<typeof RouteAdd> {
  static summary = 'Route a path to a service through the proxy, on every replica'
  static description = `The book's \`curl .../reconfigure?serviceName=go-demo&servicePath=/demo&port=8080\`, made safe. Checks first and sends nothing when a check fails: the path, the port, that the service exists, is on the proxy's network and has a running task. Then sends the route to every proxy replica (not to whichever one the routing mesh picks), reads each replica's configuration back, and records the route on the service as com.df.* labels, so the Swarm keeps it (see \`route sync\`). Plain passwords given with --users are hashed (SHA-512 crypt) before anything is sent.`
  static examples = [
    '<%= config.bin %> <%= command.id %> go-demo /demo 8080',
    '<%= config.bin %> <%= command.id %> go-demo /demo,/api 8080 --verify --verify-path /demo/hello',
    '<%= config.bin %> <%= command.id %> shop / 80 --domain shop.example.com --https-only',
    '<%= config.bin %> <%= command.id %> admin /admin 8080 --users admin:secret',
    '<%= config.bin %> <%= command.id %> go-demo /metrics 9090 --port-index 2',
  ]

  static args = {
    service: Args.string({description: 'service to route to (offered from the proxy network on a terminal)'}),
    path: Args.string({description: 'path prefix, e.g. /demo; several separated by ","'}),
    port: Args.string({description: 'port the service listens on inside its containers'}),
  }

  static flags = {
    proxy: proxyFlag,
    path: Flags.string({summary: 'Another path for the same route (repeatable).', multiple: true, multipleNonGreedy: true}),
    domain: Flags.string({summary: 'Match requests for this host name too (serviceDomain; repeatable; *.example.com allowed).', multiple: true, multipleNonGreedy: true}),
    'src-port': Flags.string({summary: 'Port the proxy listens on for this route (srcPort; needed for --req-mode tcp).'}),
    'req-mode': Flags.string({summary: 'http (default), tcp or sni.'}),
    'path-type': Flags.string({summary: 'How PATH matches: path_beg (default), path, path_end, path_reg, path_dir, path_sub, path_len, path_dom.'}),
    'https-only': Flags.boolean({summary: 'Redirect plain HTTP requests to HTTPS.'}),
    'acl-name': Flags.string({summary: 'Name of the route in haproxy.cfg (routes are ordered by it); default the service name.'}),
    users: Flags.string({summary: 'Basic auth USER:PASSWORD[,USER:PASSWORD...]; passwords are hashed before sending and never printed.'}),
    'port-index': Flags.string({summary: "Make this the service's N-th route (1-10) and keep its others."}),
    param: Flags.string({summary: 'Any other docker-flow-proxy parameter NAME=VALUE (repeatable), e.g. timeoutServer=60.', multiple: true, multipleNonGreedy: true}),
    verify: Flags.boolean({summary: 'Afterwards, request the path through the proxy on every node that publishes it.'}),
    'verify-path': Flags.string({summary: 'Path to request afterwards, like --verify (which it implies); default: the route path.'}),
    wait: waitFlag,
    verbose: verboseFlag,
  }

  async run(): Promise<RouteAddResult> {
    const {flags, args} = this
    const input = {
      service: args.service,
      paths: [...(args.path === undefined ? [] : [args.path]), ...(flags.path ?? [])],
      port: args.port,
      proxy: flags.proxy,
      portIndex: flags['port-index'],
      domains: flags.domain ?? [],
      srcPort: flags['src-port'],
      reqMode: flags['req-mode'],
      pathType: flags['path-type'],
      httpsOnly: flags['https-only'],
      aclName: flags['acl-name'],
      users: flags.users,
      params: flags.param ?? [],
      verify: flags.verify,
      verifyPath: flags['verify-path'],
      json: this.jsonEnabled(),
      waitMs: waitMsOf(flags.wait),
    }
    const checked = await checkRouteInput(input) // before connecting anywhere
    try {
      const result = await addRoute(await this.cluster(), input, checked)
      this.show(result)
      return result
    } catch (error) {
      if (error instanceof SwarmnetError && error.details) this.show(error.details as RouteAddResult)
      throw error
    }
  }

  private show(result: RouteAddResult): void {
    const paths = Object.entries(result.params).filter(([k]) => k.startsWith('servicePath')).map(([, v]) => v).join(',')
    this.log(`${colour.bold(result.service)} ${paths} on ${result.proxy}, ${result.replicas.length} replica(s):`)
    this.log(renderReplicaRows(result.replicas, this.flags.verbose))
    if (result.labelled) this.log(`Recorded on service ${result.service} as com.df.* labels; \`swarmnet route sync\` restores it on replicas that lose it.`)
    if (result.verify) this.log(`\n${renderVerifyRows(result.verify)}`)
  }
}
