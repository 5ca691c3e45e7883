-- wrk's own request for the URL it is given, signed in (the session cookie in HRAPP_COOKIE).
wrk.headers["Cookie"] = os.getenv("HRAPP_COOKIE")
