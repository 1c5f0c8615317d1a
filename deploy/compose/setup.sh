#!/bin/sh
# Prepares the compose stack, once (running it again changes nothing):
#  - compose/secrets/: ferry's SFTP client key, the demo DSP's host key and
#    the known_hosts file that pins it (ferry always verifies host keys);
#  - compose/ferry-data/: ferry's root, bind-mounted at /srv/ferry, owned by
#    you, so you can drop releases into compose/ferry-data/inbox/;
#  - deploy/.env: runs the ferry container with your user and group ids, so
#    it can write the root and read the key.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
mkdir -p secrets ferry-data
(
	umask 077
	[ -f secrets/ferry_ed25519 ] || ssh-keygen -q -t ed25519 -N '' -C ferry@compose -f secrets/ferry_ed25519
	[ -f secrets/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -C dsp@compose -f secrets/ssh_host_ed25519_key
)
# Inside the compose network the DSP is the service "dsp", port 22.
printf 'dsp %s\n' "$(cut -d' ' -f1,2 secrets/ssh_host_ed25519_key.pub)" > secrets/known_hosts
chmod 644 secrets/ferry_ed25519.pub secrets/ssh_host_ed25519_key.pub secrets/known_hosts
env="$here/../.env"
if [ ! -f "$env" ]; then
	printf 'FERRY_UID=%s\nFERRY_GID=%s\n' "$(id -u)" "$(id -g)" > "$env"
fi
echo "ready: keys in $here/secrets, root in $here/ferry-data, ids in $(cd "$here/.." && pwd)/.env"
