-- POST /login with the seeded user's credentials (bcrypt cost 12 on every request).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"bench.user","password":"bench-password-1"}'
