/** Small haproxy.cfg files as docker-flow-proxy writes them, for the inspect tests. */

export const CFG = `global
    pidfile /var/run/haproxy.pid

defaults
    mode    http

frontend services
    bind *:80
    bind *:443
    mode http

    acl url_go-demo8080_0 path_beg /demo
    use_backend go-demo-be8080_0 if url_go-demo8080_0

backend go-demo-be8080_0
    mode http
    server go-demo go-demo:8080
`

/** The same file with a second route: what a replica that got one more reconfigure holds. */
export const CFG_TWO_ROUTES = CFG.replace(
  '    use_backend go-demo-be8080_0 if url_go-demo8080_0\n',
  '    use_backend go-demo-be8080_0 if url_go-demo8080_0\n    acl url_api8080_0 path_beg /api\n    use_backend api-be8080_0 if url_api8080_0\n',
) + `
backend api-be8080_0
    mode http
    server api api:8080
`

/** With a userlist: one plain and one hashed password. */
export const CFG_USERS = CFG + `
userlist go-demoUsers
    user admin insecure-password s3cret
    user bob password $6$salt$0123456789abcdef
`
