// distribute=true: send the same request to every replica of the proxy service
// (tasks.<SERVICE_NAME> in Swarm's DNS) with distribute=false so it is not sent on again.
// Texts are the real proxy's (server/util.go sendDistributeRequests).
import dns from 'node:dns'

// Every spelling of "distribute" goes, since parameter names match case-insensitively.
export function withoutDistribute(encoded) {
  const q = new URLSearchParams(encoded)
  for (const k of [...q.keys()]) if (k.toLowerCase() === 'distribute') q.delete(k)
  q.set('distribute', 'false')
  return q.toString()
}

export function distributeUrls(ips, port, path, rawQuery) {
  const query = withoutDistribute(rawQuery)
  return ips.map((ip) => `http://${ip.includes(':') ? `[${ip}]` : ip}:${port}${path}?${query}`)
}

// req: { method, path, rawQuery, body, contentType }; body is forwarded too (with its own
// distribute switched off when it is a form, which the real proxy forgets to do).
export async function distribute(req, { port, serviceName, lookup = dns.promises.lookup, timeoutMs = 30000 }) {
  const name = `tasks.${serviceName}`
  let ips
  try {
    ips = [...new Set((await lookup(name, { all: true })).map((a) => a.address))]
  } catch {
    return {
      ok: false,
      message: `Could not perform DNS lookup for ${name}. If the proxy is not called 'proxy', you must set SERVICE_NAME=<name-of-the-proxy> on the proxy service.`,
    }
  }
  if (ips.length === 0) {
    return {
      ok: false,
      message: `Could not resend distribution requests since no replicas of the "${serviceName}" were found. Please check that the name of the service is "${serviceName}". If it isn't, set the environment variable "SERVICE_NAME" with the name of the proxy service as value.`,
    }
  }
  const isForm = (req.contentType || '').startsWith('application/x-www-form-urlencoded')
  const body = req.body && isForm ? withoutDistribute(req.body) : req.body
  const canHaveBody = !['GET', 'HEAD'].includes(req.method)
  const urls = distributeUrls(ips, port, req.path, req.rawQuery)
  const results = await Promise.all(
    urls.map(async (url) => {
      try {
        const res = await fetch(url, {
          method: req.method,
          body: canHaveBody && body ? body : undefined,
          headers: req.contentType && canHaveBody ? { 'Content-Type': req.contentType } : {},
          signal: AbortSignal.timeout(timeoutMs),
        })
        await res.arrayBuffer()
        return res.status < 300
      } catch {
        return false
      }
    }),
  )
  const failed = ips.filter((_, i) => !results[i])
  if (failed.length > 0) {
    return { ok: false, message: `Could not send distribute request to the following addresses: [${failed.join(' ')}]` }
  }
  return { ok: true, message: 'Distributed to all instances' }
}
