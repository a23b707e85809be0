# An ordinary SMTP submission server for hotline's tests: Debian's
# python3-aiosmtpd (RFC 5321 ESMTP with STARTTLS and AUTH), delivering each
# accepted mail into <root>/<recipient>/Maildir, the maildir Dovecot serves
# to that user; a "+tag" in the recipient's local part is dropped, as an
# MTA's recipient delimiter does (1022+CODE@ is 1022@'s mail). It prints "listening <port>" once it accepts connections.
#
# usage: python3 smtpd.py ROOT CERT KEY PASSWD
# PASSWD is the Dovecot passwd-file: "user:{PLAIN}password" lines.
import asyncio
import mailbox
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

root, cert, key, passwd = sys.argv[1:5]
users = {}
with open(passwd) as f:
    for line in f:
        name, _, rest = line.partition(":")
        users[name] = rest.split(":")[0].removeprefix("{PLAIN}")


class Maildirs:
    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            local, _, domain = rcpt.lower().rpartition("@")
            owner = local.partition("+")[0] + "@" + domain
            os.makedirs(os.path.join(root, owner), mode=0o700, exist_ok=True)
            box = mailbox.Maildir(os.path.join(root, owner, "Maildir"), create=True)
            box.add(envelope.original_content)
        return "250 2.0.0 delivered"


def authenticate(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and users.get(data.login.decode()) == data.password.decode()
    return AuthResult(success=ok)


async def main():
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    handler = Maildirs()
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(
        lambda: SMTP(handler, hostname="localhost", tls_context=tls, require_starttls=True,
                     authenticator=authenticate, auth_required=True, decode_data=False),
        "127.0.0.1", 0)
    print("listening", srv.sockets[0].getsockname()[1], flush=True)
    await srv.serve_forever()


asyncio.run(main())
