import {Flags} from '@oclif/core'

import {SwarmnetCommand} from '../../lib/core/base-command.js'
import {parseDuration} from '../../lib/core/input.js'
import {describeConvergence} from '../../lib/proxy/converge.js'
import {type ProxyUpResult, proxyUp} from '../../lib/proxy/lifecycle.js'
import {renderProxyUp} from '../../lib/proxy/render.js'
import {checkProxyInput} from '../../lib/proxy/spec.js'
import {liveStatus} from '../../lib/ui/progress.js'

export default class ProxyUp extends SwarmnetCommand<typeof ProxyUp> {
  static summary = 'Start docker-flow-proxy on the swarm, or report the one running'
  static description = `The book's \`docker service create --name proxy -p 80:80 -p 443:443 -p 8080:8080 --network proxy -e MODE=swarm vfarcic/docker-flow-proxy\`, done properly: creates the overlay network when it is missing, sets SERVICE_NAME to the service's real name, waits until every task runs (showing each node's tasks on stderr) or fails with the tasks' own errors, checks every replica's API, and prints where the proxy answers. Running it again reports the running proxy; a different spec is shown and applied only with --update. On a kernel without IPVS (such as the lab) it defaults to one task per node publishing in host mode, and says so. Unlike the book, the API port (8080) is not published unless --publish-api is given (docker-flow-proxy's API has no authentication); when it is, proxy up, proxy status and doctor warn, naming the addresses where it is open.`
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --image vfarcic/docker-flow-proxy',
    '<%= config.bin %> <%= command.id %> --replicas 3 --publish-api',
    '<%= config.bin %> <%= command.id %> --mode global --publish-mode host --constraint node.role==worker',
    '<%= config.bin %> <%= command.id %> --env STATS_USER=admin --env STATS_PASS=admin --update',
  ]

  static flags = {
    name: Flags.string({summary: 'Service name (its SERVICE_NAME is set to match).', default: 'proxy'}),
    network: Flags.string({summary: 'Overlay network the proxy and its services share (created when missing).', default: 'proxy'}),
    image: Flags.string({summary: 'Proxy image (default dockerflow/docker-flow-proxy; the book used vfarcic/docker-flow-proxy).'}),
    replicas: Flags.string({summary: 'Number of tasks (replicated mode).'}),
    mode: Flags.string({summary: 'replicated or global (one task per node).'}),
    'publish-mode': Flags.string({summary: 'ingress (the routing mesh, needs IPVS) or host (each task on its own node).'}),
    env: Flags.string({summary: 'Environment KEY=VALUE for the proxy (repeatable), e.g. DEBUG=true.', multiple: true, multipleNonGreedy: true}),
    'publish-api': Flags.boolean({summary: "Publish the API port (8080) on the nodes, as the book's -p 8080:8080 did. It has no authentication: anyone who reaches a node can change the routes, so it is off by default and swarmnet reaches each replica over SSH to its node.", default: false, allowNo: true}),
    constraint: Flags.string({summary: 'Placement constraint (repeatable), e.g. node.role==worker.', multiple: true, multipleNonGreedy: true}),
    update: Flags.boolean({summary: 'Apply a spec that differs from the running proxy.'}),
    sync: Flags.boolean({summary: 'Sync labelled routes onto replicas that lack them (--no-sync: only report them); asked on a terminal.', allowNo: true}),
    'wait-timeout': Flags.string({summary: 'How long to wait for every task to run and answer.', default: '2m'}),
  }

  async run(): Promise<ProxyUpResult> {
    const {flags} = this
    const input = {
      name: flags.name, network: flags.network, image: flags.image, replicas: flags.replicas, mode: flags.mode, publishMode: flags['publish-mode'],
      env: flags.env ?? [], publishApi: flags['publish-api'], constraints: flags.constraint ?? [],
    }
    checkProxyInput(input)
    const waitTimeoutMs = parseDuration(flags['wait-timeout'], '--wait-timeout')
    const status = liveStatus({quiet: this.jsonEnabled()})
    try {
      const result = await proxyUp(await this.cluster(), {...input, update: flags.update, sync: flags.sync, waitTimeoutMs, json: this.jsonEnabled(), onProgress: (view) => status.update(`${flags.name}: ${describeConvergence(view)}`)})
      status.stop()
      this.log(renderProxyUp(result))
      return result
    } finally {
      status.stop()
    }
  }
}
