import {expect} from 'chai'

import {UsageError} from '../../../src/lib/core/errors.js'
import {
  type Destination, LABEL_PREFIX, MAX_INDEX, NOTIFY_LABEL, destinationsOf, isDestinationParam, isRouteParam, labelChanges, paramsFromLabels, parsePaths,
  reconfigureParams, sameRoute, serviceParams, staleAclName,
} from '../../../src/lib/route/params.js'
import {liveDest, liveService} from '../../helpers/fake-proxy-api.js'

describe('routes/params', () => {
  it('uses the listener\'s label names', () => {
    expect(LABEL_PREFIX).to.equal('com.df.')
    expect(NOTIFY_LABEL).to.equal('com.df.notify')
    expect(MAX_INDEX).to.equal(10)
  })

  // The real proxy keeps a backend under the old aclName when it changes (anchors §7.1).
  describe('staleAclName', () => {
    it('names the aclName a replica holds the route under when the new route names another', () => {
      expect(staleAclName('go-demo', {aclName: 'gd2'}, liveService('go-demo', [], {AclName: 'go-demo'}))).to.equal('go-demo')
      expect(staleAclName('go-demo', {}, liveService('go-demo', [], {AclName: 'gd2'}))).to.equal('gd2')
      expect(staleAclName('go-demo', {aclName: 'gd2'}, liveService('go-demo', [], {AclName: ''}))).to.equal('go-demo')
    })

    it('is undefined when the name stays, or nothing is held', () => {
      expect(staleAclName('go-demo', {}, liveService('go-demo', [], {AclName: 'go-demo'}))).to.equal(undefined)
      expect(staleAclName('go-demo', {}, liveService('go-demo', [], {AclName: ''}))).to.equal(undefined)
      expect(staleAclName('go-demo', {aclName: 'gd2'}, liveService('go-demo', [], {AclName: 'gd2'}))).to.equal(undefined)
      expect(staleAclName('go-demo', {aclName: 'gd2'}, undefined)).to.equal(undefined)
    })
  })

  describe('paramsFromLabels', () => {
    it('reads com.df.* labels without the prefix, and only those', () => {
      const labels = {
        'com.df.notify': 'true', 'com.df.servicePath': '/demo', 'com.df.port': '8080', 'com.df.servicePath.1': '/a',
        'com.docker.stack.namespace': 'app', 'org.swarmnet.proxy': 'true', 'df.port': '1',
      }
      expect(paramsFromLabels(labels)).to.deep.equal({servicePath: '/demo', port: '8080', 'servicePath.1': '/a'})
    })

    it('drops what the listener adds or reads itself: notify, distribute, replicas, serviceName', () => {
      const labels = {
        'com.df.notify': 'true', 'com.df.distribute': 'false', 'com.df.replicas': '3', 'com.df.serviceName': 'other', 'com.df.port': '80', 'com.df.servicePath': '/',
      }
      expect(paramsFromLabels(labels)).to.deep.equal({port: '80', servicePath: '/'})
    })

    // The real proxy reads service fields whatever their case (anchors §7.1): ServiceName=other would
    // fight serviceName=<service>, and Distribute=true would make each replica fan the route out.
    it('drops those in any case too: Distribute, ServiceName, Replicas, NOTIFY', () => {
      const labels = {
        'com.df.notify': 'true', 'com.df.Distribute': 'true', 'com.df.ServiceName': 'other', 'com.df.REPLICAS': '3', 'com.df.NOTIFY': 'true', 'com.df.port': '80', 'com.df.servicePath': '/',
      }
      expect(paramsFromLabels(labels)).to.deep.equal({port: '80', servicePath: '/'})
    })

    it('keeps other com.df.* labels, as the listener sends them too', () => {
      expect(paramsFromLabels({'com.df.notify': 'true', 'com.df.alertName': 'mem', 'com.df.port': '80'})).to.deep.equal({alertName: 'mem', port: '80'})
    })

    it('reads com.df.notify=true case-insensitively, like the listener', () => {
      expect(paramsFromLabels({'com.df.notify': 'TRUE', 'com.df.port': '80'})).to.deep.equal({port: '80'})
      expect(paramsFromLabels({'com.df.notify': 'True'})).to.deep.equal({})
    })

    for (const notify of [undefined, 'false', '', 'yes', '1', ' true']) {
      it(`has no route when com.df.notify is ${JSON.stringify(notify)}`, () => {
        const labels: Record<string, string> = {'com.df.servicePath': '/demo', 'com.df.port': '8080'}
        if (notify !== undefined) labels[NOTIFY_LABEL] = notify
        expect(paramsFromLabels(labels)).to.equal(undefined)
      })
    }
  })

  describe('isRouteParam / isDestinationParam', () => {
    it('knows destination parameters, with or without a .N suffix', () => {
      for (const name of ['servicePath', 'port', 'srcPort', 'serviceDomain', 'reqMode', 'pathType', 'httpsOnly', 'timeoutServer', 'httpsPort', 'userAgent']) {
        expect(isRouteParam(name), name).to.equal(true)
        expect(isRouteParam(`${name}.1`), `${name}.1`).to.equal(true)
        expect(isRouteParam(`${name}.10`), `${name}.10`).to.equal(true)
        expect(isDestinationParam(name), name).to.equal(true)
      }
    })

    it('knows service-level parameters only without a suffix', () => {
      for (const name of ['aclName', 'users', 'usersPassEncrypted', 'usersSecret', 'connectionMode', 'addReqHeader', 'addHeader', 'sessionType', 'serviceDomainMatchAll']) {
        expect(isRouteParam(name), name).to.equal(true)
        expect(isRouteParam(`${name}.1`), `${name}.1`).to.equal(false)
        expect(isDestinationParam(name), name).to.equal(false)
      }
    })

    it('says no to other tools\' labels and to what the listener decides', () => {
      for (const name of ['alertName', 'alertIf', 'alertFor', 'distribute', 'notify', 'replicas', 'serviceName', 'shortName', 'scrapeNetwork', 'ServicePath', 'port.x', '']) {
        expect(isRouteParam(name), name).to.equal(false)
      }

      expect(isDestinationParam('port.1')).to.equal(false)
    })
  })

  describe('labelChanges', () => {
    it('sets the notify label and every parameter on a service without a route', () => {
      expect(labelChanges({'com.docker.stack.namespace': 'app'}, {servicePath: '/demo', port: '8080'})).to.deep.equal({
        'com.df.notify': 'true', 'com.df.servicePath': '/demo', 'com.df.port': '8080',
      })
    })

    it('writes only what differs', () => {
      const current = {'com.df.notify': 'true', 'com.df.servicePath': '/demo', 'com.df.port': '8080'}
      expect(labelChanges(current, {servicePath: '/demo', port: '8080'})).to.deep.equal({})
      expect(labelChanges(current, {servicePath: '/demo', port: '9090'})).to.deep.equal({'com.df.port': '9090'})
    })

    it('removes route parameters the new route does not have, indexed ones included', () => {
      const current = {'com.df.notify': 'true', 'com.df.servicePath.1': '/a', 'com.df.port.1': '1', 'com.df.servicePath.2': '/b', 'com.df.port.2': '2', 'com.df.aclName': 'x', 'com.df.users': 'u:$6$x'}
      expect(labelChanges(current, {'servicePath.1': '/a', 'port.1': '1'})).to.deep.equal({
        'com.df.servicePath.2': null, 'com.df.port.2': null, 'com.df.aclName': null, 'com.df.users': null,
      })
    })

    it('leaves other tools\' com.df.* labels alone, and the listener\'s distribute', () => {
      const current = {
        'com.df.notify': 'true', 'com.df.servicePath': '/demo', 'com.df.port': '8080', 'com.df.alertName': 'mem', 'com.df.alertIf': '@service_mem_limit:0.8',
        'com.df.distribute': 'true', 'com.df.shortName': 'true', 'com.docker.stack.namespace': 'app',
      }
      expect(labelChanges(current, {servicePath: '/api', port: '8080'})).to.deep.equal({'com.df.servicePath': '/api'})
      expect(labelChanges(current, undefined)).to.deep.equal({'com.df.notify': null, 'com.df.servicePath': null, 'com.df.port': null})
    })

    it('removes com.df.notify whatever its value when there is no route', () => {
      expect(labelChanges({'com.df.notify': 'false', 'com.df.port': '80'}, undefined)).to.deep.equal({'com.df.notify': null, 'com.df.port': null})
      expect(labelChanges({'com.df.alertName': 'x'}, undefined)).to.deep.equal({})
    })

    it('corrects a notify label that is not "true"', () => {
      expect(labelChanges({'com.df.notify': 'false', 'com.df.port': '80', 'com.df.servicePath': '/'}, {port: '80', servicePath: '/'})).to.deep.equal({'com.df.notify': 'true'})
    })
  })

  describe('destinationsOf', () => {
    const strip = (d: Destination) => ({index: d.index, paths: d.paths, port: d.port, domains: d.domains, srcPort: d.srcPort, reqMode: d.reqMode, pathType: d.pathType, httpsOnly: d.httpsOnly})

    it('makes one un-indexed destination with the proxy\'s defaults', () => {
      const [dest, ...rest] = destinationsOf({servicePath: '/demo,/api', port: '8080'})
      expect(rest).to.deep.equal([])
      expect(dest).to.deep.equal({
        index: 0, paths: ['/demo', '/api'], port: '8080', domains: [], srcPort: undefined, reqMode: 'http', pathType: 'path_beg', httpsOnly: false,
        params: {servicePath: '/demo,/api', port: '8080'},
      })
    })

    it('reads srcPort, reqMode, pathType, httpsOnly and the other destination parameters', () => {
      const [dest] = destinationsOf({port: '5432', srcPort: '5432', reqMode: 'tcp', pathType: 'path_reg', httpsOnly: 'true', timeoutServer: '60', aclName: 'db', alertName: 'x'})
      expect(strip(dest)).to.deep.equal({index: 0, paths: [], port: '5432', domains: [], srcPort: 5432, reqMode: 'tcp', pathType: 'path_reg', httpsOnly: true})
      expect(dest.params).to.deep.equal({port: '5432', srcPort: '5432', reqMode: 'tcp', pathType: 'path_reg', httpsOnly: 'true', timeoutServer: '60'})
    })

    it('gives a domain without a path the path "/"', () => {
      const [dest] = destinationsOf({serviceDomain: 'example.com,*.example.org', port: '80'})
      expect(dest.paths).to.deep.equal(['/'])
      expect(dest.domains).to.deep.equal(['example.com', '*.example.org'])
    })

    it('counts httpsPort alone as a destination (the proxy\'s rule)', () => {
      expect(destinationsOf({httpsPort: '443'}).map((d) => d.index)).to.deep.equal([0])
      expect(destinationsOf({'httpsPort.1': '443'}).map((d) => d.index)).to.deep.equal([1])
    })

    it('makes none when nothing defines a destination', () => {
      expect(destinationsOf({})).to.deep.equal([])
      expect(destinationsOf({reqMode: 'tcp', srcPort: '80', aclName: 'x'})).to.deep.equal([])
      expect(destinationsOf({servicePath: '', port: ''})).to.deep.equal([])
    })

    it('reads indexed destinations .1 up to the first gap', () => {
      const params = {'servicePath.1': '/a', 'port.1': '1', 'servicePath.2': '/b', 'port.2': '2', 'servicePath.4': '/d', 'port.4': '4'}
      expect(destinationsOf(params).map((d) => [d.index, d.paths.join(','), d.port])).to.deep.equal([[1, '/a', '1'], [2, '/b', '2']])
    })

    it('reads nothing indexed when .1 is missing', () => {
      expect(destinationsOf({'servicePath.2': '/b', 'port.2': '2'})).to.deep.equal([])
      expect(destinationsOf({'servicePath.2': '/b', 'port.2': '2', servicePath: '/x', port: '9'}).map((d) => d.index)).to.deep.equal([0])
    })

    it('stops at ten', () => {
      const params: Record<string, string> = {}
      for (let n = 1; n <= 11; n++) params[`port.${n}`] = String(n)
      expect(destinationsOf(params).map((d) => d.index)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    })

    it('ignores the un-indexed destination once there is an indexed one, but lets its values fill in', () => {
      const params = {servicePath: '/x', port: '9', 'servicePath.1': '/a', 'serviceDomain.2': 'b.example.com', timeoutServer: '60', 'timeoutServer.2': '5'}
      const dests = destinationsOf(params)
      expect(dests.map(strip)).to.deep.equal([
        {index: 1, paths: ['/a'], port: '9', domains: [], srcPort: undefined, reqMode: 'http', pathType: 'path_beg', httpsOnly: false},
        {index: 2, paths: ['/x'], port: '9', domains: ['b.example.com'], srcPort: undefined, reqMode: 'http', pathType: 'path_beg', httpsOnly: false},
      ])
      expect(dests[0].params.timeoutServer).to.equal('60')
      expect(dests[1].params.timeoutServer).to.equal('5')
    })

    it('lets an empty indexed value fall back to the un-indexed one, as the proxy does', () => {
      const [dest] = destinationsOf({'servicePath.1': '/a', 'port.1': '', port: '8080'})
      expect(dest.port).to.equal('8080')
    })

    it('splits lists as the proxy does: on ",", untrimmed, without empty items', () => {
      const [dest] = destinationsOf({servicePath: ' /a , /b ,', port: '1'})
      expect(dest.paths).to.deep.equal([' /a ', ' /b '])
    })
  })

  describe('serviceParams', () => {
    it('keeps what is not per destination', () => {
      const params = {servicePath: '/a', 'port.1': '1', 'timeoutServer.3': '5', aclName: 'x', users: 'a:$6$x', connectionMode: 'http-server-close', alertName: 'mem'}
      expect(serviceParams(params)).to.deep.equal({aclName: 'x', users: 'a:$6$x', connectionMode: 'http-server-close', alertName: 'mem'})
    })
  })

  describe('reconfigureParams', () => {
    it('puts serviceName first, then the parameters in a stable order', () => {
      const params = {'servicePath.2': '/b', 'servicePath.1': '/a', 'port.1': '1', 'port.2': '2', aclName: 'x', users: 'a:$6$y', timeoutServer: '5'}
      expect(reconfigureParams('go-demo', params)).to.deep.equal([
        ['serviceName', 'go-demo'], ['aclName', 'x'], ['port.1', '1'], ['port.2', '2'], ['servicePath.1', '/a'], ['servicePath.2', '/b'], ['timeoutServer', '5'], ['users', 'a:$6$y'],
      ])
    })

    it('gives the same order whatever order the labels came in', () => {
      const a = reconfigureParams('s', {port: '1', servicePath: '/', aclName: 'z'})
      const b = reconfigureParams('s', {aclName: 'z', servicePath: '/', port: '1'})
      expect(a).to.deep.equal(b)
      expect(a.map(([k]) => k)).to.deep.equal(['serviceName', 'aclName', 'port', 'servicePath'])
    })

    it('sends the service name even when there are no parameters', () => {
      expect(reconfigureParams('go-demo', {})).to.deep.equal([['serviceName', 'go-demo']])
    })
  })

  describe('sameRoute (against config?type=json as the real proxy answers it)', () => {
    const demo = (dest: Record<string, unknown> = {}, service: Record<string, unknown> = {}) =>
      liveService('go-demo', [liveDest({Port: '8080', ServicePath: ['/demo'], ...dest})], service)

    it('holds a plain route: AclName "" means the service name, PathType "" means path_beg', () => {
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080'}, demo())).to.equal(true)
    })

    it('is false when the replica does not hold the service', () => {
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080'}, undefined)).to.equal(false)
    })

    it('matches an aclName equal to the service name with AclName ""', () => {
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080', aclName: 'go-demo'}, demo())).to.equal(true)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080'}, demo({}, {AclName: 'go-demo'}))).to.equal(true)
    })

    it('notices a different aclName', () => {
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080', aclName: '01-demo'}, demo())).to.equal(false)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080', aclName: '01-demo'}, demo({}, {AclName: '01-demo'}))).to.equal(true)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080'}, demo({}, {AclName: '01-demo'}))).to.equal(false)
    })

    it('matches PathType "path_beg" given or defaulted either way', () => {
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080', pathType: 'path_beg'}, demo())).to.equal(true)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080'}, demo({PathType: 'path_beg'}))).to.equal(true)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080', pathType: 'path_reg'}, demo())).to.equal(false)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080', pathType: 'path_reg'}, demo({PathType: 'path_reg'}))).to.equal(true)
    })

    it('compares Port as the string the proxy holds', () => {
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8081'}, demo())).to.equal(false)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080'}, demo({Port: 8080}))).to.equal(true)
    })

    it('compares paths in order', () => {
      expect(sameRoute('go-demo', {servicePath: '/demo,/api', port: '8080'}, demo({ServicePath: ['/demo', '/api']}))).to.equal(true)
      expect(sameRoute('go-demo', {servicePath: '/demo,/api', port: '8080'}, demo({ServicePath: ['/demo']}))).to.equal(false)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080'}, demo({ServicePath: []}))).to.equal(false)
    })

    it('compares SrcPort as a number, 0 meaning none', () => {
      const params = {port: '5432', srcPort: '5432', reqMode: 'tcp'}
      expect(sameRoute('db', params, liveService('db', [liveDest({Port: '5432', SrcPort: 5432, ReqMode: 'tcp'})]))).to.equal(true)
      expect(sameRoute('db', params, liveService('db', [liveDest({Port: '5432', SrcPort: 0, ReqMode: 'tcp'})]))).to.equal(false)
      expect(sameRoute('db', {port: '5432', reqMode: 'tcp'}, liveService('db', [liveDest({Port: '5432', SrcPort: 0, ReqMode: 'tcp'})]))).to.equal(true)
    })

    it('compares reqMode without case, http by default', () => {
      expect(sameRoute('db', {port: '1', reqMode: 'TCP'}, liveService('db', [liveDest({Port: '1', ReqMode: 'tcp'})]))).to.equal(true)
      expect(sameRoute('db', {port: '1'}, liveService('db', [liveDest({Port: '1', ReqMode: ''})]))).to.equal(true)
      expect(sameRoute('db', {port: '1', reqMode: 'tcp'}, liveService('db', [liveDest({Port: '1', ReqMode: 'http'})]))).to.equal(false)
    })

    it('compares domains with or without a leading "*"', () => {
      const params = {serviceDomain: '*.example.com,example.org', port: '8080'}
      expect(sameRoute('web', params, liveService('web', [liveDest({Port: '8080', ServicePath: ['/'], ServiceDomain: ['*.example.com', 'example.org']})]))).to.equal(true)
      expect(sameRoute('web', params, liveService('web', [liveDest({Port: '8080', ServicePath: ['/'], ServiceDomain: ['.example.com', 'example.org']})]))).to.equal(true)
      expect(sameRoute('web', params, liveService('web', [liveDest({Port: '8080', ServicePath: ['/'], ServiceDomain: ['example.org']})]))).to.equal(false)
      expect(sameRoute('web', params, liveService('web', [liveDest({Port: '8080', ServicePath: ['/web'], ServiceDomain: ['*.example.com', 'example.org']})]))).to.equal(false)
    })

    it('compares httpsOnly', () => {
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080', httpsOnly: 'true'}, demo({HttpsOnly: true}))).to.equal(true)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080', httpsOnly: 'true'}, demo())).to.equal(false)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080'}, demo({HttpsOnly: true}))).to.equal(false)
    })

    it('holds exactly our users (hashed), plus the proxy\'s global USERS', () => {
      const hash = '$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/'
      const params = {servicePath: '/demo', port: '8080', users: `admin:${hash}`, usersPassEncrypted: 'true'}
      const users = [{Username: 'admin', Password: hash, PassEncrypted: true}, {Username: 'ops', Password: 'global-secret', PassEncrypted: false}]
      expect(sameRoute('go-demo', params, demo({}, {Users: users}), {httpsOnly: false, globalUsers: ['ops']})).to.equal(true)
      expect(sameRoute('go-demo', params, demo({}, {Users: users})), 'a user that is neither ours nor global').to.equal(false)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080'}, demo({}, {Users: users.slice(0, 1)})), 'users removed from the route').to.equal(false)
      expect(sameRoute('go-demo', params, demo({}, {Users: [{Username: 'admin', Password: '$6$other$x', PassEncrypted: true}]}))).to.equal(false)
      expect(sameRoute('go-demo', params, demo({}, {Users: [{Username: 'ops', Password: 'global-secret'}]}))).to.equal(false)
      expect(sameRoute('go-demo', params, demo())).to.equal(false)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080', users: `admin:${hash},bob:$2b$05$abc`}, demo({}, {Users: users}))).to.equal(false)
    })

    it('compares generic destination parameters by their JSON name (timeoutServer → TimeoutServer)', () => {
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080', timeoutServer: '60'}, demo({TimeoutServer: '60'}))).to.equal(true)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080', timeoutServer: '60'}, demo())).to.equal(false)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080', allowedMethods: 'GET,HEAD'}, demo({AllowedMethods: ['GET', 'HEAD']}))).to.equal(true)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080', httpsPort: '8443'}, demo({HttpsPort: 8443}))).to.equal(true)
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080', denyHttp: 'true'}, demo({DenyHttp: false}))).to.equal(false)
    })

    it('does not hold against the replica fields it reports as objects or not at all', () => {
      // UserAgent and ServiceHeader are objects in the proxy's JSON; checkTcp is reported as CheckTCP.
      const params = {servicePath: '/demo', port: '8080', userAgent: 'curl', serviceHeader: 'X-Version:3', checkTcp: 'true', userDef: 'x'}
      const live = liveService('go-demo', [liveDest({Port: '8080', ServicePath: ['/demo'], UserAgent: {Value: ['curl'], AclName: 'curl'}, ServiceHeader: {'X-Version': '3'}, UserDef: 'x'})])
      expect(sameRoute('go-demo', params, live)).to.equal(true)
    })

    it('compares indexed destinations in the order of their Index, whatever order they come in', () => {
      const params = {'servicePath.1': '/a', 'port.1': '1', 'srcPort.1': '80', 'servicePath.2': '/b', 'port.2': '2', 'srcPort.2': '443'}
      const one = liveDest({Index: 1, ServicePath: ['/a'], Port: '1', SrcPort: 80})
      const two = liveDest({Index: 2, ServicePath: ['/b'], Port: '2', SrcPort: 443})
      expect(sameRoute('s', params, liveService('s', [two, one]))).to.equal(true)
      expect(sameRoute('s', params, liveService('s', [one]))).to.equal(false)
      expect(sameRoute('s', params, liveService('s', [one, two, liveDest({Index: 3, ServicePath: ['/c'], Port: '3'})]))).to.equal(false)
      expect(sameRoute('s', params, liveService('s', [liveDest({Index: 1, ServicePath: ['/b'], Port: '2', SrcPort: 443}), liveDest({Index: 2, ServicePath: ['/a'], Port: '1', SrcPort: 80})]))).to.equal(false)
    })

    it('is false for a service the replica holds with no destinations (ServiceDest null)', () => {
      expect(sameRoute('go-demo', {servicePath: '/demo', port: '8080'}, liveService('go-demo', [], {ServiceDest: null}))).to.equal(false)
    })

    it('notices a service-level parameter the replica holds differently (connectionMode)', () => {
      const params = {servicePath: '/demo', port: '8080', connectionMode: 'http-server-close'}
      expect(sameRoute('go-demo', params, demo({}, {ConnectionMode: 'http-server-close'}))).to.equal(true)
      expect(sameRoute('go-demo', params, demo({}, {ConnectionMode: ''}))).to.equal(false)
    })
  })

  describe('parsePaths', () => {
    it('splits on commas and trims', () => {
      expect(parsePaths(['/demo'])).to.deep.equal(['/demo'])
      expect(parsePaths(['/demo,/api', ' /v2 '])).to.deep.equal(['/demo', '/api', '/v2'])
    })

    const bad: [string[], string][] = [
      [[], 'missing PATH; expected a path starting with "/", e.g. /demo'],
      [['demo'], 'invalid PATH "demo": expected a path starting with "/", e.g. /demo'],
      [['api'], 'invalid PATH "api": expected a path starting with "/", e.g. /api'],
      [[''], 'invalid PATH "": expected a path starting with "/", e.g. /demo'],
      [['/a,'], 'invalid PATH "": expected a path starting with "/", e.g. /demo'],
      [['/a,,/b'], 'invalid PATH "": expected a path starting with "/", e.g. /demo'],
      [['/a b'], 'invalid PATH "/a b": no spaces, quotes, backslashes, "#" or "?" (the proxy matches on the path only)'],
      [['/a#top'], 'invalid PATH "/a#top": no spaces, quotes, backslashes, "#" or "?" (the proxy matches on the path only)'],
      [['/a?x=1'], 'invalid PATH "/a?x=1": no spaces, quotes, backslashes, "#" or "?" (the proxy matches on the path only)'],
      [['/a\tb'], 'invalid PATH "/a\tb": no spaces, quotes, backslashes, "#" or "?" (the proxy matches on the path only)'],
    ]
    for (const [values, message] of bad) {
      it(`rejects ${JSON.stringify(values)}`, () => {
        expect(() => parsePaths(values)).to.throw(UsageError).with.property('message', message)
      })
    }

    for (const path of ['/a"b', "/it's"]) {
      it(`rejects a quote in the path (${path}), which HAProxy cannot parse`, () => {
        expect(() => parsePaths([path])).to.throw(UsageError, `invalid PATH "${path}"`)
      })
    }
  })

})
