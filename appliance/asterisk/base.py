"""The configuration files every Asterisk instance needs, whatever its role.

Role-specific files (pjsip.conf, extensions.conf, ...) come from their own generators; these
make Asterisk boot quietly inside the rootfs with everything it writes under /srv/instance.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from paivystys.appliance.runtime.instance import AMI_SECRET_INCLUDE, INSTANCE_ROOT, InstanceSpec

AMI_USER = "paivystys"
# The AMI action classes the appliance's AMI user may use.  Every action the appliance sends
# needs `system` (or nothing): Filter, DBDelTree and PJSIPShowEndpoint take `system` only;
# CoreShowChannels, DBGetTree and PJSIPShowRegistrationsOutbound `system` or `reporting`;
# Ping none.  Refused with it: Originate (`originate`), Command (`command`: any CLI
# command), Redirect, Setvar, Getvar (`call`), UserEvent (`user`), UpdateConfig (`config`).
# Asterisk has no finer grain: `system` still allows Hangup, Reload, ModuleLoad, DBPut,
# DialplanExtensionAdd and GetConfig.
APPLIANCE_AMI_WRITE = ("system",)

# autoload=no keeps the instance small and its behaviour explicit.  Dependencies that are not
# obvious: chan_pjsip needs res_pjsip_pubsub, res_agi needs res_speech, Dial needs bridge_*.
MODULES = (
    # SIP
    "res_pjproject", "res_sorcery_config", "res_sorcery_memory", "res_sorcery_astdb",
    "res_pjsip", "res_pjsip_pubsub", "res_pjsip_session", "res_pjsip_sdp_rtp",
    "res_pjsip_endpoint_identifier_ip", "res_pjsip_endpoint_identifier_user",
    "res_pjsip_authenticator_digest", "res_pjsip_outbound_authenticator_digest",
    "res_pjsip_outbound_registration", "res_pjsip_registrar", "res_pjsip_caller_id",
    "res_pjsip_dtmf_info", "res_pjsip_header_funcs", "res_pjsip_rfc3326", "res_pjsip_logger",
    "chan_pjsip", "func_pjsip_endpoint", "res_rtp_asterisk",
    "res_pjsip_nat",  # the trunk's external address behind the office router (NAT)
    # security events (failed identification and authentication) to the security log
    "res_security_log",
    # dialplan and AGI
    "pbx_config", "res_speech", "res_agi",
    "res_clioriginate",  # `channel originate` from the CLI: tests and lab diagnostics
    # applications
    "app_dial", "app_stack", "app_playback", "app_read", "app_senddtmf", "app_userevent",
    "app_mixmonitor", "app_softhangup", "app_echo", "app_record", "app_verbose", "app_while",
    "app_db", "app_exec", "app_originate", "app_playtones", "app_channelredirect",
    # functions
    "func_db", "func_strings", "func_cut", "func_channel", "func_callerid", "func_lock",
    "func_global", "func_logic", "func_math", "func_hangupcause", "func_timeout",
    "func_base64", "func_dialplan",
    # bridging, timing, media
    "bridge_simple", "bridge_native_rtp", "bridge_softmix", "bridge_holding",
    "bridge_builtin_features", "res_timing_timerfd",
    "format_wav", "format_pcm", "format_gsm", "format_sln",
    "codec_ulaw", "codec_alaw", "codec_gsm", "codec_a_mu", "codec_resample",
    # G.722 and Opus (Debian's libopus transcoder; the attribute module reads its SDP fmtp)
    "codec_g722", "codec_opus_open_source", "res_format_attr_opus",
)

# Finland's tones, as in Asterisk's sample indications.conf.
_FINNISH_TONES = """\
[fi]
description = Finland
ringcadence = 1000,4000
dial = 425
busy = 425/300,0/300
ring = 425/1000,0/4000
congestion = 425/200,0/200
callwaiting = 425/150,0/150,425/150,0/8000
dialrecall = 425/650,0/25
record = 1400/500,0/15000
info = 950/650,0/325,950/325,0/30,1400/1300,0/2600
stutter = 425/650,0/25
"""

# Asterisk's core and res_pjproject read these at boot and log an ERROR when they are missing;
# their defaults are what we want.
_READ_AT_BOOT = ("features.conf", "acl.conf", "udptl.conf", "ccss.conf", "pjproject.conf")
_QUIET_EMPTY = "; defaults apply; the file exists so that Asterisk does not report it missing\n"


def instance_directories(root: str) -> dict[str, str]:
    """asterisk.conf's directories when everything Asterisk reads and writes lives in one
    instance directory that Asterisk sees as ``root`` (a chrooted lab instance)."""
    return {
        "astetcdir": f"{root}/etc",
        "astvarlibdir": f"{root}/lib",
        "astdbdir": f"{root}/lib",
        "astkeydir": f"{root}/lib",
        "astcachedir": f"{root}/lib/cache",
        "astspooldir": f"{root}/spool",
        "astrundir": f"{root}/run",
        "astlogdir": f"{root}/log",
    }


def debian_directories(etc: str) -> dict[str, str]:
    """asterisk.conf's directories for Debian's own Asterisk on the box: the configuration from
    ``etc`` (the appliance's), everything Asterisk writes where Debian's package keeps it.  So
    Debian's logrotate rotates its logs, its postinst owns its directories, and a plain
    ``asterisk -rx`` finds the control socket in /run/asterisk."""
    return {
        "astetcdir": etc,
        "astvarlibdir": "/var/lib/asterisk",
        "astdbdir": "/var/lib/asterisk",
        "astkeydir": "/var/lib/asterisk",
        "astcachedir": "/var/cache/asterisk",
        "astspooldir": "/var/spool/asterisk",
        "astrundir": "/run/asterisk",
        "astlogdir": "/var/log/asterisk",
    }


LAB_DIRECTORIES = instance_directories(INSTANCE_ROOT)


def base_configs(spec: InstanceSpec,
                 ami_write: tuple[str, ...] = APPLIANCE_AMI_WRITE,
                 directories: Mapping[str, str] = LAB_DIRECTORIES) -> dict[str, str]:
    """File name -> contents of the files every instance needs; ``ami_write``: the AMI action
    classes its AMI user may use (more only for an instance that plays the outside world);
    ``directories``: asterisk.conf's [directories] (see :func:`instance_directories`)."""
    return {
        "asterisk.conf": asterisk_conf(spec, directories),
        "modules.conf": modules_conf(),
        "logger.conf": logger_conf(),
        "rtp.conf": rtp_conf(spec),
        "manager.conf": manager_conf(spec, ami_write),
        "indications.conf": indications_conf(),
        "cdr.conf": "[general]\nenable = no\n",
        "cel.conf": "[general]\nenable = no\n",
        **{name: _QUIET_EMPTY for name in _READ_AT_BOOT},
    }


def entity_id(name: str) -> str:
    """A stable, locally administered MAC-style id: the namespace has no network card."""
    digest = hashlib.sha256(name.encode()).digest()[:5]
    return ":".join(f"{byte:02x}" for byte in (0x02, *digest))


def asterisk_conf(spec: InstanceSpec, directories: Mapping[str, str] = LAB_DIRECTORIES) -> str:
    # astmoddir, astdatadir (sounds, documentation) and astsbindir stay unset: the installed
    # Asterisk's compiled-in defaults are right and differ between architectures.
    lines = "".join(f"{key} => {value}\n" for key, value in directories.items())
    return f"""\
[directories]
{lines}
[options]
systemname = {spec.name}
entityid = {entity_id(spec.name)}
documentation_language = en_US
"""


def modules_conf() -> str:
    loads = "".join(f"load => {module}.so\n" for module in MODULES)
    return f"[modules]\nautoload = no\n{loads}"


def logger_conf() -> str:
    # Security events (requests from unknown sources, failed authentication) get a file of
    # their own: the record of who knocked, kept apart from the call traffic in messages.
    return """\
[general]
dateformat = %F %T.%3q

[logfiles]
messages => notice,warning,error,verbose
security => security
"""


def rtp_conf(spec: InstanceSpec) -> str:
    return f"[general]\nrtpstart = {spec.rtp_start}\nrtpend = {spec.rtp_end}\n"


def manager_conf(spec: InstanceSpec, write: tuple[str, ...] = APPLIANCE_AMI_WRITE) -> str:
    # The secret lives in an include that AsteriskInstance.start() writes from ami.secret.
    return f"""\
[general]
enabled = yes
webenabled = no
bindaddr = 127.0.0.1
port = {spec.ami_port}
timestampevents = yes
displayconnects = no

[{AMI_USER}]
#include {AMI_SECRET_INCLUDE}
deny = 0.0.0.0/0.0.0.0
permit = 127.0.0.1/255.255.255.255
; What the monitor and the lab listen to: calls (BridgeEnter, Hangup), UserEvents, system;
; security: failed SIP identification and authentication, which the SIP guard blocks on.
; Not dialplan: a VarSet and a Newexten for every step of every leg flood a 100-leg call.
read = call,user,system,security
write = {",".join(write)}
"""


def indications_conf() -> str:
    return f"[general]\ncountry = fi\n\n{_FINNISH_TONES}"
