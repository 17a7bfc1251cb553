import {expect} from 'chai'

import type {Engine, ServiceSummary} from '../../../src/lib/docker/engine.js'
import type {LiveService} from '../../../src/lib/proxy/client.js'
import type {HttpAnswer} from '../../../src/lib/proxy/http.js'
import type {Cluster, ProxyReplica, ReplicaApi} from '../../../src/lib/proxy/replicas.js'
import type {SurveyedProxy} from '../../../src/lib/route/context.js'
import {type SyncResult, syncRoutes} from '../../../src/lib/route/sync.js'
import {liveDest, liveService, reconfigureAnswer} from '../../helpers/fake-proxy-api.js'

/**
 * One replica of the real docker-flow-proxy as route sync meets it (anchors §7.1): a route HAProxy
 * refuses answers 500, and the proxy then drops the service entirely, its earlier route included.
 */
function fakeReplica(held: Record<string, LiveService>, calls: string[] = []): ProxyReplica {
  const api = {
    route: {via: 'published-port', target: 'http://10.0.0.1:8080'},
    async get(pathAndQuery: string): Promise<HttpAnswer> {
      const url = new URL(pathAndQuery, 'http://proxy')
      const q = (name: string) => url.searchParams.get(name) ?? ''
      if (url.pathname.endsWith('/config')) return {status: 200, contentType: 'application/json', body: JSON.stringify(held)}
      calls.push(`${url.pathname.split('/').pop()}?${url.searchParams}`)
      if (url.pathname.endsWith('/remove')) {
        delete held[q('serviceName')]
        return reconfigureAnswer(200, '')
      }

      if (url.pathname.endsWith('/reconfigure')) {
        const service = liveService(q('serviceName'), [liveDest({Port: q('port'), ServicePath: q('servicePath').split(','), PathType: q('pathType') || 'path_beg'})], {AclName: q('aclName') || q('serviceName')})
        if (q('pathType') === 'bogus') {
          delete held[q('serviceName')]
          return reconfigureAnswer(500, "Config validation failed\n\nstdout:\n\nstderr:\n[ALERT] (1) : parsing [/cfg/haproxy.cfg:20] : unknown fetch method 'bogus'\n\nglobal", service)
        }

        held[q('serviceName')] = service
        return reconfigureAnswer(200, '', service)
      }

      return {status: 404, contentType: 'text/plain; charset=utf-8', body: '404 page not found\n'}
    },
  } as unknown as ReplicaApi
  return {taskId: 't1', task: 'proxy.1', node: {id: 'n1', hostname: 'node-1', address: '10.0.0.1'}, state: 'running', api}
}

function service(id: string, name: string, labels: Record<string, string>): ServiceSummary {
  return {id, name, image: name, mode: 'replicated', replicas: 1, endpointMode: 'vip', networks: [{id: 'net-proxy'}], ports: [], labels, env: [], constraints: [], version: 1, createdAt: '', updatedAt: ''}
}

describe('routes/sync against a proxy that drops what HAProxy refuses', () => {
  it('says so when a failed update took the route the replica held before with it', async () => {
    const held: Record<string, LiveService> = {
      'go-demo': liveService('go-demo', [liveDest({Port: '8080', ServicePath: ['/demo'], PathType: 'path_beg'})]),
    }
    const replica = fakeReplica(held)
    const proxy = service('px', 'proxy', {})
    const goDemo = service('gd', 'go-demo', {'com.df.notify': 'true', 'com.df.servicePath': '/demo', 'com.df.port': '8080', 'com.df.pathType': 'bogus'})
    const engine = {listTasks: async () => [{serviceId: 'gd', state: 'running'}]} as unknown as Engine
    const cluster = {engine, timeoutMs: 1000} as unknown as Cluster
    const context: SurveyedProxy = {views: [], proxy, networks: [{id: 'net-proxy', name: 'proxy'} as SurveyedProxy['networks'][number]], services: [proxy, goDemo], replicas: [replica], pending: [], desired: 1}
    context.views = [{replica, live: {...held}}]

    let result: SyncResult | undefined
    try {
      await syncRoutes(cluster, {prune: false, dryRun: false, yes: true, json: true, concurrency: 1, waitMs: 0}, context)
      expect.fail('route sync reported success although the replica lost the route')
    } catch (error) {
      expect((error as Error).message).to.match(/^route sync left replicas out of step \(0 of 1 synced\): node-1 \(proxy\.1\): 1 route\(s\) not in place$/)
      result = (error as {details?: SyncResult}).details
    }

    expect(held).to.deep.equal({})
    expect(result?.replicas[0].updated).to.deep.equal(['go-demo'])
    expect(result?.replicas[0].failures).to.have.length(1)
    expect(result?.replicas[0].failures[0].service).to.equal('go-demo')
    expect(result?.replicas[0].failures[0].message).to.match(/^HTTP 500: Config validation failed .*unknown fetch method 'bogus'; its previous route is gone from this replica too$/)
  })

  it('a failed add says nothing about a previous route (there was none)', async () => {
    const held: Record<string, LiveService> = {}
    const proxy = service('px', 'proxy', {})
    const goDemo = service('gd', 'go-demo', {'com.df.notify': 'true', 'com.df.servicePath': '/demo', 'com.df.port': '8080', 'com.df.pathType': 'bogus'})
    const engine = {listTasks: async () => [{serviceId: 'gd', state: 'running'}]} as unknown as Engine
    const cluster = {engine, timeoutMs: 1000} as unknown as Cluster
    const context: SurveyedProxy = {views: [], proxy, networks: [{id: 'net-proxy', name: 'proxy'} as SurveyedProxy['networks'][number]], services: [proxy, goDemo], replicas: [fakeReplica(held)], pending: [], desired: 1}
    context.views = context.replicas.map((r) => ({replica: r, live: {...held}}))

    const error = await syncRoutes(cluster, {prune: false, dryRun: false, yes: true, json: true, concurrency: 1, waitMs: 0}, context).then(
      () => expect.fail('route sync reported success although the route was refused'),
      (error_: unknown) => error_ as {details?: SyncResult},
    )
    expect(error.details?.replicas[0].added).to.deep.equal(['go-demo'])
    expect(error.details?.replicas[0].failures[0].message).to.match(/^HTTP 500: Config validation failed /)
    expect(error.details?.replicas[0].failures[0].message).not.to.include('previous route')
  })

  it('an aclName change: the files under the old name are removed first (the real proxy would keep its backend)', async () => {
    const held: Record<string, LiveService> = {
      'go-demo': liveService('go-demo', [liveDest({Port: '8080', ServicePath: ['/demo'], PathType: 'path_beg'})], {AclName: 'go-demo'}),
    }
    const calls: string[] = []
    const proxy = service('px', 'proxy', {})
    const goDemo = service('gd', 'go-demo', {'com.df.notify': 'true', 'com.df.servicePath': '/demo', 'com.df.port': '8080', 'com.df.aclName': 'gd2'})
    const engine = {listTasks: async () => [{serviceId: 'gd', state: 'running'}]} as unknown as Engine
    const cluster = {engine, timeoutMs: 1000} as unknown as Cluster
    const context: SurveyedProxy = {views: [], proxy, networks: [{id: 'net-proxy', name: 'proxy'} as SurveyedProxy['networks'][number]], services: [proxy, goDemo], replicas: [fakeReplica(held, calls)], pending: [], desired: 1}
    context.views = context.replicas.map((r) => ({replica: r, live: {...held}}))

    const result = await syncRoutes(cluster, {prune: false, dryRun: false, yes: true, json: true, concurrency: 1, waitMs: 0}, context)
    expect(result.replicas[0]).to.deep.include({result: 'ok', updated: ['go-demo']})
    expect(calls).to.deep.equal(['remove?serviceName=go-demo', 'reconfigure?serviceName=go-demo&aclName=gd2&port=8080&servicePath=%2Fdemo'])
    expect(held['go-demo'].AclName).to.equal('gd2')
  })
})
