import {expect} from 'chai'

import {CHANGE_TIMEOUT_MS, interpret, maskSecrets, query} from '../../../src/lib/proxy/client.js'
import {liveDest, liveService, reconfigureAnswer} from '../../helpers/fake-proxy-api.js'

const RECONFIGURE = '/v1/docker-flow-proxy/reconfigure?serviceName=x'

/** What the real proxy answers when HAProxy refuses the new file: the alerts, then the whole haproxy.cfg. */
function configValidationFailed(): string {
  const cfg = [
    'global',
    '    pidfile /var/run/haproxy.pid',
    '    stats socket /var/run/haproxy.sock mode 660 level admin expose-fd listeners',
    '    tune.ssl.default-dh-param 2048',
    '',
    'defaults',
    '    mode    http',
    '    balance roundrobin',
    '    timeout connect 5s',
    '',
    'userlist go-demoUsers',
    '    user admin insecure-password s3cret',
    '    user bob password $6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/',
    '',
    'frontend services',
    '    bind *:80',
    '    bind *:443',
    '    mode http',
    '',
    '    acl url_go-demo8080_0 bogus /demo',
    '    use_backend go-demo-be8080_0 if url_go-demo8080_0',
    '',
    'backend go-demo-be8080_0',
    '    mode http',
    '    server go-demo go-demo:8080',
    ...Array.from({length: 80}, (_, i) => `    # filler line ${i} to make the file as long as a real one`),
  ].join('\n')
  return [
    'Config validation failed',
    "[ALERT] 324/101512 (31) : parsing [/cfg/haproxy.cfg:20] : error detected while parsing ACL 'url_go-demo8080_0' : unknown fetch method 'bogus' in ACL expression 'bogus'.",
    "[ALERT] 324/101512 (31) : parsing [/cfg/haproxy.cfg:21] : error detected while parsing switching rule : no such ACL : 'url_go-demo8080_0'.",
    '[ALERT] 324/101512 (31) : Error(s) found in configuration file : /cfg/haproxy.cfg',
    '[ALERT] 324/101512 (31) : Fatal errors found in configuration.',
    cfg,
  ].join('\n')
}

describe('proxy/client', () => {
  it('waits long enough for the real proxy\'s ~20 s of retries', () => {
    expect(CHANGE_TIMEOUT_MS).to.equal(90_000)
  })

  describe('interpret', () => {
    it('reads a 200 JSON body sent as text/plain', () => {
      const answer = reconfigureAnswer(200, '', liveService('go-demo', [liveDest({Port: '8080', ServicePath: ['/demo']})]))
      const result = interpret(answer, RECONFIGURE)
      expect(result.status).to.equal(200)
      expect(result.outcome).to.equal('ok')
      expect(result.message).to.equal('')
      expect(result.body?.Status).to.equal('OK')
      expect(result.body?.ServiceName).to.equal('go-demo')
      expect((result.body?.ServiceDest as {Port: string}[])[0].Port).to.equal('8080')
    })

    it('keeps the Message of a 200 (distribute)', () => {
      expect(interpret(reconfigureAnswer(200, 'Distributed to all instances'), RECONFIGURE)).to.include({status: 200, outcome: 'ok', message: 'Distributed to all instances'})
    })

    it('reads a 200 that is not JSON (config as raw text) with its text as message', () => {
      const result = interpret({status: 200, contentType: 'text/html', body: 'global\n    pidfile /var/run/haproxy.pid\n'}, RECONFIGURE)
      expect(result).to.deep.equal({status: 200, outcome: 'ok', message: 'global pidfile /var/run/haproxy.pid', body: undefined})
    })

    it('reads {} (config?type=json with no routes) as a body', () => {
      expect(interpret({status: 200, contentType: 'application/json', body: '{}'}, RECONFIGURE)).to.deep.equal({status: 200, outcome: 'ok', message: '', body: {}})
    })

    it('does not take a JSON array or scalar for a body', () => {
      expect(interpret({status: 200, contentType: 'application/json', body: '[1]'}, RECONFIGURE).body).to.equal(undefined)
      expect(interpret({status: 200, contentType: 'application/json', body: 'null'}, RECONFIGURE).body).to.equal(undefined)
      expect(interpret({status: 200, contentType: 'application/json', body: '"x"'}, RECONFIGURE).body).to.equal(undefined)
    })

    it('takes 400 as refused, with the proxy\'s Message', () => {
      const result = interpret(reconfigureAnswer(400, 'serviceName parameter is mandatory.'), RECONFIGURE)
      expect(result).to.include({status: 400, outcome: 'refused', message: 'serviceName parameter is mandatory.'})
      expect(result.body?.Status).to.equal('NOK')
    })

    it('takes 409 as refused, with the proxy\'s Message', () => {
      expect(interpret(reconfigureAnswer(409, 'When using reqMode http, servicePath or serviceDomain are mandatory'), RECONFIGURE)).to.include({
        status: 409, outcome: 'refused', message: 'When using reqMode http, servicePath or serviceDomain are mandatory',
      })
    })

    it('names the status of a refusal without a Message', () => {
      expect(interpret({status: 400, contentType: 'text/plain', body: '{"Status":"NOK","Message":""}'}, RECONFIGURE)).to.include({outcome: 'refused', message: 'HTTP 400'})
      expect(interpret({status: 409, contentType: 'text/plain', body: ''}, RECONFIGURE)).to.include({outcome: 'refused', message: 'HTTP 409'})
    })

    it('takes 500 as failed, status and Message in one line', () => {
      const body = JSON.stringify({Status: 'NOK', Message: 'Could not send distribute request to the following addresses: [10.0.1.5]'})
      expect(interpret({status: 500, contentType: 'text/plain', body}, RECONFIGURE)).to.include({
        status: 500, outcome: 'failed', message: 'HTTP 500: Could not send distribute request to the following addresses: [10.0.1.5]',
      })
    })

    it('trusts the status, not Status: reload\'s 500 with "Status":"OK" failed', () => {
      const result = interpret({status: 500, contentType: 'text/plain', body: '{"Status":"OK","Message":"","ServiceName":""}'}, RECONFIGURE)
      expect(result).to.include({status: 500, outcome: 'failed', message: 'HTTP 500'})
      expect(result.body?.Status).to.equal('OK')
    })

    it('says a 404 with the 18-byte text body is not a docker-flow-proxy API', () => {
      const body = '404 page not found'
      expect(Buffer.byteLength(body)).to.equal(18)
      expect(interpret({status: 404, contentType: 'text/plain; charset=utf-8', body}, RECONFIGURE)).to.deep.equal({
        status: 404, outcome: 'failed', message: 'not a docker-flow-proxy API (404 for /v1/docker-flow-proxy/reconfigure)',
      })
    })

    it('keeps a JSON 404 as a failure with its message', () => {
      expect(interpret({status: 404, contentType: 'application/json', body: '{"Message":"no such thing"}'}, RECONFIGURE)).to.include({outcome: 'failed', message: 'HTTP 404: no such thing'})
    })

    it('reads a non-JSON 502 from whatever is in front of the proxy', () => {
      const html = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n'
      expect(interpret({status: 502, contentType: 'text/html', body: html}, RECONFIGURE)).to.deep.equal({
        status: 502, outcome: 'failed', message: 'HTTP 502: <html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center>', body: undefined,
      })
      expect(interpret({status: 502, contentType: 'text/plain', body: ''}, RECONFIGURE)).to.include({outcome: 'failed', message: 'HTTP 502'})
    })

    it('takes any other status as failed (503, 204, 301)', () => {
      expect(interpret({status: 503, contentType: 'text/plain', body: 'Service Unavailable'}, RECONFIGURE)).to.include({outcome: 'failed', message: 'HTTP 503: Service Unavailable'})
      expect(interpret({status: 204, contentType: '', body: ''}, RECONFIGURE)).to.include({outcome: 'failed', message: 'HTTP 204'})
      expect(interpret({status: 301, contentType: 'text/html', body: '<a href="/v1/docker-flow-proxy/ping">Moved Permanently</a>.\n\n'}, RECONFIGURE)).to.include({outcome: 'failed'})
    })

    it('sums up "Config validation failed" + ALERTs + the whole haproxy.cfg in one line under 400 characters', () => {
      const message = configValidationFailed()
      expect(message.length).to.be.greaterThan(3000)
      const result = interpret({status: 500, contentType: 'text/plain', body: JSON.stringify({Status: 'NOK', Message: message})}, RECONFIGURE)
      expect(result.outcome).to.equal('failed')
      // The head line and the first three alerts, without HAProxy's stamp; never the file.
      expect(result.message).to.equal([
        'HTTP 500: Config validation failed',
        "[ALERT] parsing [/cfg/haproxy.cfg:20] : error detected while parsing ACL 'url_go-demo8080_0' : unknown fetch method 'bogus' in ACL expression 'bogus'.",
        "[ALERT] parsing [/cfg/haproxy.cfg:21] : error detected while parsing switching rule : no such ACL : 'url_go-demo8080_0'.",
        '[ALERT] Error(s) found in configuration file : /cfg/haproxy.cfg',
      ].join(' '))
      expect(result.message.length).to.be.below(400)
      expect(result.message).not.to.include('pidfile')
      expect(result.message).not.to.include('filler')
      expect(result.message).not.to.include('s3cret')
    })

    it('keeps the head line and the first three ALERT/WARNING lines, exactly', () => {
      const message = 'Config validation failed\n[WARNING] 1 : w\nglobal\n    pidfile /x\n[ALERT] 2 : a\n  [ALERT] 3 : b  \n[ALERT] 4 : c\nbackend x'
      expect(interpret({status: 500, contentType: 'text/plain', body: JSON.stringify({Message: message})}, RECONFIGURE).message).to.equal(
        'HTTP 500: Config validation failed [WARNING] 1 : w [ALERT] 2 : a [ALERT] 3 : b',
      )
    })

    it('drops HAProxy\'s date and pid, so one refusal on two replicas reads the same', () => {
      const from = (stamp: string) => JSON.stringify({Message: `Config validation failed\n[ALERT]    ${stamp} : config : parsing [/cfg/haproxy.cfg:61] : unexpected character 's'`})
      const messages = ['(361)', '(360)', '324/101512 (31)'].map((stamp) => interpret({status: 500, contentType: 'text/plain', body: from(stamp)}, RECONFIGURE).message)
      expect(new Set(messages)).to.deep.equal(new Set(["HTTP 500: Config validation failed [ALERT] config : parsing [/cfg/haproxy.cfg:61] : unexpected character 's'"]))
    })

    it('cuts a long one-line message at 400 characters', () => {
      const result = interpret({status: 500, contentType: 'text/plain', body: JSON.stringify({Message: 'x'.repeat(1000)})}, RECONFIGURE)
      expect(result.message).to.equal(`HTTP 500: ${'x'.repeat(397)}...`)
    })

    it('keeps the first four lines of a message without alerts', () => {
      const result = interpret({status: 500, contentType: 'text/plain', body: JSON.stringify({Message: 'one\n\n two \nthree\nfour\nfive'})}, RECONFIGURE)
      expect(result.message).to.equal('HTTP 500: one two three four')
    })

    it('masks the password the proxy echoes in Message', () => {
      const body = JSON.stringify({Status: 'NOK', Message: 'failed: user admin insecure-password s3cret and user bob password $6$abc$def'})
      const result = interpret({status: 500, contentType: 'text/plain', body}, RECONFIGURE)
      expect(result.message).to.equal('HTTP 500: failed: user admin insecure-password *** and user bob password ***')
    })

    it('masks the Users a cut-off JSON answer echoes (read as text)', () => {
      const cut = '{"Status":"OK","Message":"","ServiceName":"go-demo","Users":[{"Username":"admin","Password":"s3cret","PassEncrypted":false}],"ServiceDest":[{"Po'
      const result = interpret({status: 502, contentType: 'text/plain', body: cut}, RECONFIGURE)
      expect(result.body).to.equal(undefined)
      expect(result.message).to.equal('HTTP 502: {"Status":"OK","Message":"","ServiceName":"go-demo","Users":[{"Username":"admin","Password":"***","PassEncrypted":false}],"ServiceDest":[{"Po')
    })

    it('masks a password in a non-JSON body', () => {
      const result = interpret({status: 500, contentType: 'text/plain', body: 'GET /v1/docker-flow-proxy/reconfigure?serviceName=a&users=admin:s3cret&port=1 failed'}, RECONFIGURE)
      expect(result.message).to.equal('HTTP 500: GET /v1/docker-flow-proxy/reconfigure?serviceName=a&users=***&port=1 failed')
    })
  })

  describe('maskSecrets', () => {
    it('masks Password values in JSON (Users echoed back)', () => {
      const text = JSON.stringify({Users: [{Username: 'admin', Password: 's3cret', PassEncrypted: false}, {Username: 'b', Password: 'a\\"b', PassEncrypted: false}]})
      const masked = maskSecrets(text)
      expect(masked).to.equal('{"Users":[{"Username":"admin","Password":"***","PassEncrypted":false},{"Username":"b","Password":"***","PassEncrypted":false}]}')
      expect(maskSecrets('{"Password" : "x y"}')).to.equal('{"Password" : "***"}')
    })

    it('masks haproxy.cfg userlists, plain or hashed', () => {
      expect(maskSecrets('userlist aUsers\n    user admin insecure-password s3cret\n    user bob password $6$x$y\n')).to.equal(
        'userlist aUsers\n    user admin insecure-password ***\n    user bob password ***\n',
      )
    })

    it('masks users= wherever it appears (a usersSecret names a secret and is not one)', () => {
      expect(maskSecrets('/reconfigure?users=admin:s3cret,bob:x&port=8080')).to.equal('/reconfigure?users=***&port=8080')
      expect(maskSecrets('/reconfigure?serviceName=a&users=admin:s3cret')).to.equal('/reconfigure?serviceName=a&users=***')
      expect(maskSecrets('/reconfigure?serviceName=a&usersSecret=mine&port=1')).to.equal('/reconfigure?serviceName=a&usersSecret=mine&port=1')
      expect(maskSecrets('?serviceName=a&USERS=admin:pw')).to.equal('?serviceName=a&USERS=***')
    })

    it('leaves everything else alone', () => {
      const text = 'serviceName=go-demo&servicePath=/demo&port=8080 {"Username":"admin"} usersPassEncrypted=true'
      expect(maskSecrets(text)).to.equal(text)
    })

    for (const text of ['users=admin:s3cret', 'invalid --param "users.1=admin:s3cret"', 'sent users=admin:s3cret']) {
      it(`masks the password in ${JSON.stringify(text)}`, () => {
        expect(maskSecrets(text)).not.to.include('s3cret')
      })
    }
  })

  describe('query', () => {
    it('encodes names and values for a URL query, in the order given', () => {
      expect(query([['serviceName', 'go-demo'], ['servicePath', '/demo,/api'], ['port', '8080']])).to.equal('serviceName=go-demo&servicePath=%2Fdemo%2C%2Fapi&port=8080')
    })

    it('encodes what would break the query: &, =, +, spaces, #, ? and $', () => {
      expect(query([['backendExtra', 'a=b&c d+e#f?g'], ['users', 'admin:$6$x$y/z.']])).to.equal('backendExtra=a%3Db%26c%20d%2Be%23f%3Fg&users=admin%3A%246%24x%24y%2Fz.')
    })

    it('keeps indexed names readable and reads back to the same pairs', () => {
      const params: [string, string][] = [['serviceName', 'a'], ['servicePath.1', '/ü/ñ'], ['serviceDomain.1', '*.example.com']]
      const text = query(params)
      expect(text).to.equal('serviceName=a&servicePath.1=%2F%C3%BC%2F%C3%B1&serviceDomain.1=*.example.com')
      expect([...new URLSearchParams(text)]).to.deep.equal(params)
    })

    it('is empty for no parameters', () => {
      expect(query([])).to.equal('')
    })
  })
})
