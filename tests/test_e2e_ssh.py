"""The operators' deployment, end to end: a real OpenSSH ``sshd`` on a loopback port, configured as
docs/deploy-ssh.md says (key authentication only, ``ForceCommand`` running ``ebok-tui --server``,
no forwarding, ``AcceptEnv`` for the language), a throwaway host key, user key and local user; the
client is ``ssh -tt`` in a tmux pane.

1. Log in, see a screen with data, quit with ctrl+q: ssh ends, the session is closed on the server.
2. Kill the ssh client mid-session: the app gets SIGHUP, closes its session on the server (the
   token is revoked) and exits; no process of the user is left.

Both check that "remember me" says plainly it is unavailable (no D-Bus session over SSH).

Needs root (``useradd``, ``sshd``) and openssh-server (``.ci/run`` installs it). Elsewhere the
tests skip, saying why; in CI (``EBOK_REQUIRE_SSHD=1``, set by ``.ci/run``) they fail instead.

The throwaway user must be able to run this checkout's Python. When that interpreter lives under
a directory only root may enter (``/root/.pyenv`` here), the test grants that one user the right
to pass through (search only, a POSIX ACL entry) for the test's duration and takes it back after.
"""

from __future__ import annotations

import re
import contextlib
import os
import pwd
import shlex
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.server_proc import REPO_ROOT, ServerInfo, running_server
from tests.test_e2e_pty import Tmux, alive, wait_for

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)


def _unavailable() -> str | None:
    if not sys.platform.startswith("linux"):
        return "Linux only (reads /proc, creates a local user)"
    if SSHD is None or shutil.which("ssh") is None or shutil.which("ssh-keygen") is None:
        return "openssh-server / openssh-client is not installed (.ci/run installs it)"
    if shutil.which("tmux") is None:
        return "tmux is not installed"
    if os.geteuid() != 0:
        return "needs root (useradd, sshd)"
    if not all(shutil.which(tool) for tool in ("useradd", "userdel", "runuser")):
        return "useradd, userdel or runuser not found"
    return None


@pytest.fixture(autouse=True)
def _needs_sshd() -> None:
    reason = _unavailable()
    if reason is not None:
        if os.environ.get("EBOK_REQUIRE_SSHD") == "1":
            pytest.fail(f"EBOK_REQUIRE_SSHD=1 but {reason}")
        pytest.skip(reason)


# --- the local user ------------------------------------------------------------------------------
def _user_can_run_python(user: str) -> bool:
    probe = [sys.executable, "-c", "import textual, ebok_tui"]
    result = subprocess.run(
        [shutil.which("runuser") or "runuser", "-u", user, "--", *probe],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        timeout=30,
    )
    return result.returncode == 0


#: POSIX ACL xattr (linux/posix_acl_xattr.h): version 2, then (tag u16, perm u16, id u32) sorted
_ACL_VERSION = 2
_ACL_USER_OBJ, _ACL_USER, _ACL_GROUP_OBJ, _ACL_MASK, _ACL_OTHER = 0x01, 0x02, 0x04, 0x10, 0x20
_ACL_UNDEFINED_ID = 0xFFFFFFFF


def _search_acl(mode: int, uid: int) -> bytes:
    """The directory's own permission bits, plus search (x) for ``uid``."""
    entries = [
        (_ACL_USER_OBJ, (mode >> 6) & 7, _ACL_UNDEFINED_ID),
        (_ACL_USER, 1, uid),
        (_ACL_GROUP_OBJ, (mode >> 3) & 7, _ACL_UNDEFINED_ID),
        (_ACL_MASK, ((mode >> 3) & 7) | 1, _ACL_UNDEFINED_ID),
        (_ACL_OTHER, mode & 7, _ACL_UNDEFINED_ID),
    ]
    return struct.pack("<I", _ACL_VERSION) + b"".join(struct.pack("<HHI", *e) for e in entries)


@contextlib.contextmanager
def _python_reachable_by(user: str, uid: int) -> Iterator[None]:
    """Let ``user`` pass through the directories above this interpreter that it may not enter."""
    if _user_can_run_python(user):
        yield
        return
    granted: list[tuple[Path, int]] = []
    try:
        for directory in reversed(Path(sys.executable).resolve().parents):
            st = directory.stat()
            if st.st_mode & 0o001:
                continue
            if st.st_uid != 0:
                pytest.fail(f"{directory} is not searchable by others and not root's: cannot grant access")
            os.setxattr(directory, "system.posix_acl_access", _search_acl(st.st_mode & 0o777, uid))
            granted.append((directory, st.st_mode & 0o7777))
        assert _user_can_run_python(user), f"{user} still cannot run {sys.executable}"
        yield
    finally:
        for directory, mode in reversed(granted):
            os.removexattr(directory, "system.posix_acl_access")
            os.chmod(directory, mode)  # the ACL mask had changed the group bits


@dataclass
class SshSetup:
    user: str
    uid: int
    base: Path
    port: int
    server: ServerInfo
    client_key: Path
    known_hosts: Path
    sshd: subprocess.Popen

    def ssh_command(self) -> str:
        options = [
            "-tt",
            "-i",
            str(self.client_key),
            "-p",
            str(self.port),
            "-F",
            "/dev/null",
            "-o",
            f"UserKnownHostsFile={self.known_hosts}",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            # through the server's AcceptEnv: the operator's language and locale
            "-o",
            "SetEnv=EBOK_LANG=pl LANG=C.UTF-8",
        ]
        return shlex.join(["ssh", *options, f"{self.user}@127.0.0.1"])

    def user_processes(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid == self.uid and alive(int(entry.name)):
                        found.append(int(entry.name))
                except OSError:
                    continue
        return found

    def open_sessions(self, customer: str) -> int:
        """Sessions of ``customer`` on the server that are not revoked (read from its database)."""
        return self.sessions(customer, " AND s.revoked_at IS NULL")

    def sessions(self, customer: str, condition: str = "") -> int:
        """Sessions of ``customer`` on the server (revoked or not; ``condition``: more SQL to match)."""
        path = self.server.db_url.split(":///", 1)[1]
        with contextlib.closing(sqlite3.connect(path)) as db:
            (count,) = db.execute(
                "SELECT count(*) FROM auth_sessions s JOIN customers c ON c.id = s.customer_id "
                "WHERE c.customer_number = ?" + condition,
                (customer,),
            ).fetchone()
        return count


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sshd_config(base: Path, port: int, user: str, force_command: str) -> str:
    """The deployment's sshd settings (docs/deploy-ssh.md), on loopback with throwaway keys; only
    ``StrictModes no`` differs (the user's home is in a temporary folder under /tmp)."""
    return f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {base / "host_ed25519"}
PidFile {base / "sshd.pid"}
AuthorizedKeysFile {base / "home" / ".ssh" / "authorized_keys"}
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers {user}
PrintMotd no
PrintLastLog no
Match User {user}
    ForceCommand {force_command}
    PermitTTY yes
    DisableForwarding yes
    PermitTunnel no
    PermitUserRC no
    AcceptEnv LANG LC_* NO_COLOR COLORTERM EBOK_*
    ClientAliveInterval 15
    ClientAliveCountMax 4
"""


@pytest.fixture
def ssh_setup(tmp_path) -> Iterator[SshSetup]:
    # A folder the throwaway user can read (pytest's tmp_path is root's alone).
    base = Path(tempfile.mkdtemp(prefix="ebok-ssh-"))
    base.chmod(0o755)
    user = f"ebok{uuid.uuid4().hex[:8]}"
    home = base / "home"
    created = False
    sshd = None
    try:
        # '*' as password hash: no password login, but not "locked" ('!'), which sshd refuses
        subprocess.run(
            ["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/bin/sh", "-p", "*", user],
            check=True,
            capture_output=True,
            timeout=30,
        )
        created = True
        entry = pwd.getpwnam(user)
        (home / ".ssh").mkdir(parents=True)
        for key in ("host_ed25519", "client_ed25519"):
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", key, "-f", str(base / key)],
                check=True,
                timeout=30,
            )
        (home / ".ssh" / "authorized_keys").write_text((base / "client_ed25519.pub").read_text())
        for path in (home, home / ".ssh", home / ".ssh" / "authorized_keys"):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        port = _free_port()
        known_hosts = base / "known_hosts"
        known_hosts.write_text(f"[127.0.0.1]:{port} {(base / 'host_ed25519.pub').read_text()}")

        with running_server(tmp_path / "server") as server, _python_reachable_by(user, entry.pw_uid):
            # What the deployment's `ebok-tui` is, for this checkout: its code and interpreter.
            launcher = base / "ebok-tui"
            launcher.write_text(
                "#!/bin/sh\n"
                f"PYTHONPATH={shlex.quote(str(REPO_ROOT))} PYTHONDONTWRITEBYTECODE=1 "
                f'exec {shlex.quote(sys.executable)} -m ebok_tui "$@"\n'
            )
            launcher.chmod(0o755)
            config = base / "sshd_config"
            config.write_text(_sshd_config(base, port, user, f"{launcher} --server {server.url}"))
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation dir
            subprocess.run([SSHD, "-t", "-f", str(config)], check=True, capture_output=True, timeout=30)
            log = open(base / "sshd.log", "wb")  # noqa: SIM115 - closed below
            sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=log, stdout=log)
            wait_for("sshd to listen", lambda: _listening(port) or sshd.poll() is not None, 20)
            assert sshd.poll() is None, (base / "sshd.log").read_text()
            yield SshSetup(user, entry.pw_uid, base, port, server, base / "client_ed25519", known_hosts, sshd)
    finally:
        if sshd is not None:
            sshd.terminate()
            sshd.wait(timeout=10)
        if created:
            # a process the test left behind is a failure of the test; never of the next run
            for pid in _processes_of(user):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            subprocess.run(["userdel", user], capture_output=True, timeout=30)
        shutil.rmtree(base, ignore_errors=True)


def _processes_of(user: str) -> list[int]:
    with contextlib.suppress(KeyError):
        uid = pwd.getpwnam(user).pw_uid
        return [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit() and _owner(e) == uid]
    return []


def _owner(entry: Path) -> int | None:
    try:
        return entry.stat().st_uid
    except OSError:
        return None


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


# --- the steps -----------------------------------------------------------------------------------
def demo_password(server: ServerInfo, customer: str) -> str:
    info = httpx.get(server.api + "/demo-info", timeout=10).json()
    return next(c["password"] for c in info["customers"] if c["customer_number"] == customer)


def log_in(tmux: Tmux, server: ServerInfo, customer: str = "10001") -> str:
    """Log in on the login screen shown in ``tmux`` and wait for the first screen with data (the
    balance); returns that screen. (A resident: the lead may switch this to a staff login.)"""
    password = demo_password(server, customer)
    tmux.keys(customer, literal=True)
    wait_for("the number in its field", lambda: customer in tmux.screen())
    tmux.keys("Tab")
    tmux.keys(password, literal=True)
    wait_for("the masked password", lambda: "•" * len(password) in tmux.screen())
    tmux.keys("Enter")
    # logged in (the top bar names the customer) and the server's reply drawn (an amount); the
    # transfer data may be below the fold, under the news since the last visit and a notice
    return wait_for(
        "the balance",
        lambda: (s := tmux.screen()) and f"Klient {customer}" in s and re.search(r"\d+,\d\d zł", s) and s,
    )


def open_login_screen(tmux: Tmux, setup: SshSetup) -> str:
    # the pane stays after ssh ends, with ssh's exit status in a file
    tmux.start(f"{setup.ssh_command()}; echo $? > {shlex.quote(str(setup.base / 'ssh-exit'))}; sleep 60")
    screen = wait_for(
        "the login screen over ssh",
        lambda: (s := tmux.screen()) and "Numer klienta" in s and "Zapamiętywanie" in s and s,
        60,
    )
    # No D-Bus session over SSH: the keyring is not there, and the screen says so plainly.
    assert "Zapamiętywanie niedostępne w sesji SSH" in screen, screen
    return screen


def test_ssh_login_balance_quit(ssh_setup: SshSetup):
    tmux = Tmux()
    try:
        open_login_screen(tmux, ssh_setup)
        assert ssh_setup.user_processes(), "the app runs as the ssh user"
        screen = log_in(tmux, ssh_setup.server)
        assert "Saldo" in screen and "Klient 10001" in screen
        assert ssh_setup.open_sessions("10001") == 1
        tmux.keys("C-q")
        exit_file = ssh_setup.base / "ssh-exit"
        code = wait_for("ssh to end", lambda: exit_file.exists() and exit_file.read_text().strip(), 30)
        assert code == "0"  # the app's exit status, passed on by sshd and ssh
        wait_for("every process of the user to end", lambda: not ssh_setup.user_processes(), 15)
        assert ssh_setup.open_sessions("10001") == 0  # quitting logs out
    finally:
        tmux.kill()


def test_cut_connection_ends_app_and_session(ssh_setup: SshSetup):
    tmux = Tmux()
    try:
        open_login_screen(tmux, ssh_setup)
        log_in(tmux, ssh_setup.server, "10001")
        assert ssh_setup.open_sessions("10001") == 1
        app = [p for p in ssh_setup.user_processes() if b"ebok_tui" in Path(f"/proc/{p}/cmdline").read_bytes()]
        assert app
        ssh = [
            p
            for p in (int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit())
            if Path(f"/proc/{p}/cmdline").exists()
            and Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0")[0] == b"ssh"
            and f"{ssh_setup.user}@".encode() in Path(f"/proc/{p}/cmdline").read_bytes()
        ]
        assert len(ssh) == 1, ssh
        os.kill(ssh[0], signal.SIGKILL)  # the connection is cut: no goodbye from the client
        wait_for("the app to end", lambda: not any(alive(p) for p in app), 30)
        wait_for("every process of the user to end", lambda: not ssh_setup.user_processes(), 15)
        # the app closed its session on the server before it went (SIGHUP handled)
        assert ssh_setup.sessions("10001") == 1
        assert ssh_setup.open_sessions("10001") == 0
    finally:
        tmux.kill()
