import {expect} from 'chai'

import type {HaproxyConfig} from '../../../src/lib/haproxy/model.js'
import {parseHaproxyConfig} from '../../../src/lib/haproxy/parse.js'
import {naming} from '../../helpers/haproxy-routes.js'

describe('dfp-naming', () => {
  describe('through parseHaproxyConfig: names that end in digits', () => {
    const config = (lines: string): HaproxyConfig => parseHaproxyConfig(`defaults\n    mode http\n\nfrontend services\n    bind *:80\n${lines}`)

    it('takes the port from the backend name: url_api28080_0 is api2 on 8080', () => {
      const parsed = config('    acl url_api28080_0 path_beg /api\n    use_backend api2-be8080_0 if url_api28080_0\n\nbackend api2-be8080_0\n    server api2 api2:8080\n')
      expect(parsed.routes[0].naming).to.deep.equal(naming({generation: 'current', aclName: 'api2', serviceName: 'api2', port: 8080, index: 0}))
    })

    it('does the same for the book naming, and for a port that itself looks like part of the name', () => {
      const book = config('    acl url_api28080 path_beg /api\n    use_backend api2-be8080 if url_api28080\n\nbackend api2-be8080\n    server api2 api2:8080\n')
      expect(book.routes[0].naming).to.deep.equal(naming({generation: 'book', aclName: 'api2', serviceName: 'api2', port: 8080}))
      const api = config('    acl url_api28080_3 path_beg /api\n    use_backend api-be28080_3 if url_api28080_3\n\nbackend api-be28080_3\n    server api api:28080\n')
      expect(api.routes[0].naming).to.deep.equal(naming({generation: 'current', aclName: 'api', serviceName: 'api', port: 28080, index: 3}))
    })

    it('falls back to the server line when the backend is not named the proxy way', () => {
      const parsed = config('    acl url_api28080_0 path_beg /api\n    use_backend api-pool if url_api28080_0\n\nbackend api-pool\n    server api2 api2:8080 check\n')
      expect(parsed.routes[0].naming).to.deep.equal(naming({generation: 'current', aclName: 'api2', serviceName: 'api2', port: 8080, index: 0}))
    })

    it('does not guess when neither the backend name nor one server port tells', () => {
      const noServer = config('    acl url_api28080_0 path_beg /api\n    use_backend api-pool if url_api28080_0\n\nbackend api-pool\n    mode http\n')
      expect(noServer.routes[0].naming).to.deep.equal(naming({}))
      const twoPorts = config('    acl url_api28080_0 path_beg /api\n    use_backend api-pool if url_api28080_0\n\nbackend api-pool\n    server a a:8080\n    server b b:28080\n')
      expect(twoPorts.routes[0].naming).to.deep.equal(naming({}))
      const wrongPort = config('    acl url_api28080_0 path_beg /api\n    use_backend api-pool if url_api28080_0\n\nbackend api-pool\n    server a a:9090\n')
      expect(wrongPort.routes[0].naming).to.deep.equal(naming({}))
    })

    it('does not call a backend book-era just because its name ends in -be<digits>', () => {
      const parsed = config('    use_backend api-be2 if { path_beg /x }\n\nbackend api-be2\n    server api api:80\n')
      expect(parsed.routes[0].naming).to.deep.equal(naming({}))
      expect(parsed.generation).to.equal('unknown')
    })

    it('keeps a "-be" inside a service name', () => {
      const parsed = config('    acl url_my-be-app8080_0 path_beg /app\n    use_backend my-be-app-be8080_0 if url_my-be-app8080_0\n\nbackend my-be-app-be8080_0\n    server my-be-app my-be-app:8080\n')
      expect(parsed.routes[0].naming).to.deep.include({aclName: 'my-be-app', serviceName: 'my-be-app', port: 8080, index: 0})
    })
  })
})
