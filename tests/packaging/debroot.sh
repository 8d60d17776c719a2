# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# debroot.sh: clean Debian roots for the package tests, sourced by
# build-debs.sh and install-check.sh. A root is a fresh mmdebstrap of the
# host's own release from the apt sources the host already uses (read from
# /etc/apt at run time: no archive host is written in the tree), unpacked
# into a temporary directory and entered with chroot (needs root).
#
# Cache, under ${VPLANE_CACHE:-~/.cache/vplane}/debroot:
#   base-VARIANT-KEY.tar  mmdebstrap's root (minbase, buildd) with its apt
#                         lists; KEY hashes the sources, the release and
#                         the apt options; rebuilt when a day old (the
#                         archive moves on and drops what old lists name)
#   archives/             the .debs apt downloaded (linked into each root's
#                         /var/cache/apt/archives and back): downloaded once
#   STEP-KEY.tar          a root after a step the caller names and keys
#                         (debroot_save/debroot_restore), e.g. the build
#                         root after `apt-get build-dep` keyed on
#                         debian/control
# Each file is built under a lock and renamed into place when complete.

debroot_cache=${VPLANE_CACHE:-$HOME/.cache/vplane}/debroot
debroot_mounts=()

debroot_log() { echo "debroot: $*" >&2; }

# The host's apt sources, as files mmdebstrap takes as mirrors (deb822
# .sources or one-line .list), enabled ones only.
debroot_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
		/etc/apt/sources.list.d/*.list; do
		[ -s "$f" ] && echo "$f"
	done
}

# apt options of the host that decide whether its sources can be read
# (e.g. a snapshot mirror's expired Valid-Until, a proxy), for mmdebstrap
debroot_aptopts() {
	apt-config dump 2>/dev/null | grep -E \
		'^Acquire::(Check-Valid-Until|Check-Date|http::Proxy|https::Proxy|Retries) ' |
		sed -E 's/^([^ ]+) (.*);$/\1 \2;/' || true
}

debroot_release() {
	# shellcheck disable=SC1091
	(. /etc/os-release && echo "${VERSION_CODENAME:?no VERSION_CODENAME}")
}

debroot_key() {
	local f
	{
		debroot_release
		debroot_aptopts
		for f in $(debroot_sources); do
			grep -v '^\s*#' "$f"
		done
		printf '%s\n' "$@"
	} | sha256sum | cut -c1-16
}

# debroot_base VARIANT: prints the path of the cached base tarball of
# VARIANT (minbase, buildd), making it first if missing or a day old
debroot_base() {
	local variant=$1 key tar opts=() line src=() start
	key=$(debroot_key "$variant")
	tar=$debroot_cache/base-$variant-$key.tar
	mkdir -p "$debroot_cache/archives/partial"
	(
		flock 9
		if [ -f "$tar" ] && [ -s "$tar" ] &&
			[ -z "$(find "$tar" -mmin +1440)" ]; then
			exit 0
		fi
		while IFS= read -r line; do
			[ -n "$line" ] && opts+=(--aptopt="$line")
		done < <(debroot_aptopts)
		mapfile -t src < <(debroot_sources)
		[ ${#src[@]} -gt 0 ] || {
			debroot_log "no apt sources in /etc/apt"
			exit 1
		}
		start=$(date +%s)
		debroot_log "making the $variant root of $(debroot_release)" \
			"from ${src[*]}"
		rm -rf "$debroot_cache"/base-"$variant"-*.tar "$tar.tmp"
		# --format: the output's name does not end in .tar, and
		# mmdebstrap's 'auto' would make a directory of it
		mmdebstrap --quiet --variant="$variant" --format=tar \
			--skip=cleanup/apt/lists \
			"${opts[@]}" "$(debroot_release)" "$tar.tmp" "${src[@]}" \
			>&2 || {
			rm -rf "$tar.tmp"
			exit 1
		}
		mv "$tar.tmp" "$tar"
		debroot_log "$variant root: $(($(date +%s) - start)) s"
	) 9>"$debroot_cache/lock-base-$variant" || return 1
	echo "$tar"
}

# debroot_enter TARBALL DIR: unpacks TARBALL into DIR (empty or absent)
# and mounts what apt and builds need; debroot_leave undoes the mounts
debroot_enter() {
	local tar=$1 dir=$2
	mkdir -p "$dir"
	tar -C "$dir" -xf "$tar"
	cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
	mount -t proc proc "$dir/proc" && debroot_mounts+=("$dir/proc")
	mount --rbind /dev "$dir/dev" && mount --make-rslave "$dir/dev" &&
		debroot_mounts+=("$dir/dev")
	mount -t sysfs sysfs "$dir/sys" && debroot_mounts+=("$dir/sys")
	# the .debs downloaded before, linked in (not the cache dir itself
	# bound in: apt locks its archive dir, and two roots may run at once);
	# debroot_keep_debs links what apt added back into the cache
	mkdir -p "$dir/var/cache/apt/archives/partial"
	find "$debroot_cache/archives" -maxdepth 1 -name '*.deb' \
		-exec ln -f -t "$dir/var/cache/apt/archives/" {} + 2>/dev/null ||
		find "$debroot_cache/archives" -maxdepth 1 -name '*.deb' \
			-exec cp -t "$dir/var/cache/apt/archives/" {} +
	# keep what apt downloads (the cache above), answer nothing, and
	# install no Recommends (as a buildd: what is needed must be named)
	printf '%s\n' 'Binary::apt::APT::Keep-Downloaded-Packages "true";' \
		'APT::Get::Assume-Yes "true";' 'APT::Install-Recommends "false";' \
		>"$dir/etc/apt/apt.conf.d/90vplane"
	# a throwaway root: dpkg need not fsync, and neither manual pages nor
	# documentation are read in it (man-db's trigger re-reads them all)
	printf '%s\n' force-unsafe-io 'path-exclude=/usr/share/man/*' \
		'path-exclude=/usr/share/doc/*' 'path-exclude=/usr/share/info/*' \
		>"$dir/etc/dpkg/dpkg.cfg.d/90vplane"
	rm -f "$dir/var/lib/man-db/auto-update"
}

# debroot_keep_debs DIR: the .debs apt downloaded into root DIR, into the
# cache (hard links where possible)
debroot_keep_debs() {
	local f
	for f in "$1"/var/cache/apt/archives/*.deb; do
		[ -e "$f" ] || continue
		[ -e "$debroot_cache/archives/${f##*/}" ] ||
			ln "$f" "$debroot_cache/archives/" 2>/dev/null ||
			cp "$f" "$debroot_cache/archives/"
	done
}

debroot_leave() {
	local i
	for ((i = ${#debroot_mounts[@]} - 1; i >= 0; i--)); do
		umount -R "${debroot_mounts[i]}" 2>/dev/null ||
			umount -lR "${debroot_mounts[i]}" 2>/dev/null || true
	done
	debroot_mounts=()
}

# debroot_run DIR CMD...: CMD in the root, as root, non-interactive
debroot_run() {
	local dir=$1
	shift
	chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# debroot_save DIR NAME: the root DIR (mounts left) as NAME.tar in the
# cache; older NAME's of the same step (NAME up to its last '-') go
debroot_save() {
	local dir=$1 name=$2
	local part=$debroot_cache/$name.tar.$$.part
	rm -f "$debroot_cache/${name%-*}"-*.tar
	debroot_keep_debs "$dir"
	tar -C "$dir" --one-file-system \
		--exclude='./var/cache/apt/archives/*.deb' -cf "$part" . &&
		mv "$part" "$debroot_cache/$name.tar" || {
		rm -f "$part"
		return 1
	}
}

# debroot_cached NAME: prints the cached NAME.tar's path, or fails
debroot_cached() {
	[ -s "$debroot_cache/$1.tar" ] &&
		[ -z "$(find "$debroot_cache/$1.tar" -mmin +1440)" ] &&
		echo "$debroot_cache/$1.tar"
}

# debroot_remove DIR: leaves (unmounts) and deletes DIR, never crossing
# into a mount that failed to go (a bound /dev is the host's)
debroot_remove() {
	local dir=$1
	debroot_leave
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	[ -d "$dir/root/var/cache/apt/archives" ] &&
		debroot_keep_debs "$dir/root"
	if grep -q " $dir/" /proc/mounts; then
		debroot_log "still mounted under $dir: left in place"
		return 1
	fi
	rm -rf --one-file-system "$dir"
}
