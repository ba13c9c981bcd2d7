# Sourced by scripts/test.sh: installs the Debian packages the tests need, when they are missing.
# Later issues add containerd, runc, CNI plugins, nftables and the rest here.
need=""
command -v kubectl >/dev/null 2>&1 || need="$need kubectl"
command -v ip >/dev/null 2>&1 || need="$need iproute2"
if [ -n "$need" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  echo "installing system packages:$need" >&2
  $SUDO apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >&2
fi
