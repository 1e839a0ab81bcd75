"""A real Dovecot IMAP server on loopback for tests, with its own config under a temp dir.

Needs Debian's `dovecot-imapd` (/usr/sbin/dovecot). Plain IMAP (no TLS) on a free port,
users from a passwd-file, Maildir storage in the temp dir. Optionally an OAuth2 passdb
(XOAUTH2/OAUTHBEARER) that checks tokens against a loopback introspection URL.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"


def available() -> bool:
    return Path(DOVECOT).exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dovecot:
    def __init__(self, users: dict[str, str], introspection_url: str = "") -> None:
        # Not under pytest's tmp_path: its parents are private to us, and Dovecot's own
        # unprivileged processes must reach the user file and the mail directory.
        root = Path(tempfile.mkdtemp(prefix="storedesk-dovecot-"))
        root.chmod(0o755)
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        if os.geteuid() == 0:  # root: Dovecot's own unprivileged users; mail owned by "dovecot"
            mail_user = pwd.getpwnam("dovecot")
            login_user, internal_user = "dovenull", "dovecot"
        else:
            mail_user = pwd.getpwuid(os.geteuid())
            login_user = internal_user = mail_user.pw_name
        (root / "mail").mkdir(parents=True)
        (root / "run").mkdir()
        if os.geteuid() == 0:
            shutil.chown(root / "mail", mail_user.pw_uid, mail_user.pw_gid)
        (root / "users").write_text("".join(f"{user}:{{PLAIN}}{password}::::::\n" for user, password in users.items()))
        oauth = ""
        mechanisms = "plain login"
        if introspection_url:
            mechanisms += " xoauth2 oauthbearer"
            (root / "oauth2.conf.ext").write_text(
                f"introspection_url = {introspection_url}\n"
                "introspection_mode = post\n"
                "username_attribute = username\n"
                "active_attribute = active\n"
                "active_value = true\n"
            )
            oauth = f"""
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root / "oauth2.conf.ext"}
}}
"""
        (root / "dovecot.conf").write_text(
            f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root / "run"}
state_dir = {root / "run"}
instance_name = storedesk-test-{self.port}
log_path = {root / "dovecot.log"}
info_log_path = {root / "dovecot.log"}
ssl = no
disable_plaintext_auth = no
auth_failure_delay = 0
auth_mechanisms = {mechanisms}
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = {mail_user.pw_uid}
last_valid_uid = {mail_user.pw_uid}
mail_location = maildir:{root / "mail"}/%u
namespace inbox {{
  inbox = yes
  mailbox Archive {{
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root / "users"}
}}
{oauth}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={root / "mail"}/%u
}}
"""
        )

    def start(self) -> Dovecot:
        self.process = subprocess.Popen(  # noqa: S603
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"dovecot exited: {self.process.stderr.read().decode() if self.process.stderr else ''}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("dovecot did not start listening in 15 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:  # read before stop(): stop removes the directory
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""
