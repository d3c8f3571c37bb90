"""Prints a new API token for a demo account, made the way a user makes one:
log in at /masuk, then ask for a token on /akun. (Not named token.py: that
would hide the standard library's `token` module.)"""
import re
import sys

import requests

base, email, password = sys.argv[1], sys.argv[2], sys.argv[3]
s = requests.Session()
csrf = re.search(r'name="_csrf" value="([^"]+)"', s.get(base + "/masuk").text).group(1)
s.post(base + "/masuk", data={"_csrf": csrf, "next": "/akun", "email": email, "password": password})
csrf = re.search(r'name="_csrf" value="([^"]+)"', s.get(base + "/akun").text).group(1)
r = s.post(base + "/akun/token", data={"_csrf": csrf, "name": "schemathesis"})
m = re.search(r'<code class="token">([^<]+)</code>', r.text)
if not m:
    sys.exit(f"no token for {email}: {r.status_code}")
print(m.group(1))
