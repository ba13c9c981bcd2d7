# Sourced by scripts/test.sh: installs the Debian packages the tests need, when they are missing.
# Each package is checked by a command or a file it provides; the missing ones go into one apt-get install.
need=""
command -v kubectl >/dev/null 2>&1 || need="$need kubectl"
# The node agent's container runtime: containerd (with its CRI plugin and ctr), runc, the standard CNI
# plugins, a static busybox (the source of the locally built images) and ip (network namespaces).
command -v containerd >/dev/null 2>&1 || need="$need containerd"
command -v runc >/dev/null 2>&1 || need="$need runc"
[ -x /usr/lib/cni/loopback ] || need="$need containernetworking-plugins"
# A dynamically linked /bin/busybox (package busybox) cannot run inside an image, so ask for the static one.
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || need="$need busybox-static"
command -v ip >/dev/null 2>&1 || need="$need iproute2"
if [ -n "$need" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  echo "installing system packages:$need" >&2
  $SUDO apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >&2
fi
