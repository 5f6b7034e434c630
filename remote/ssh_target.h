/*
 * ssh_target - the target interface (core/target.h) over one SSH session.
 *
 * Commands: those without stdin data run one after another in a /bin/sh
 * kept open per connection (ssh_shell.h). One with stdin data takes a
 * channel of its own whose exec request is only `/bin/sh -s`; the argv,
 * quoted by shquote, arrives as a script on the channel's stdin, then the
 * command's own stdin data. Dash (Debian's /bin/sh) reads a pipe in 8 KiB
 * blocks, so data sent together with the script would be eaten by the
 * shell: the script therefore prints a random marker on stderr just before
 * it execs the command, and the data is sent only after the marker
 * arrives. With sudo, the command runs as `sudo -n -- ARGV`.
 *
 * Files: SFTP (stat, read, temp file 0600 + owner + mode + data + fsync,
 * then posix-rename@openssh.com, or `mv -f TEMP PATH` when the server
 * lacks it). With sudo the SFTP server would run as the login user, so
 * file operations are commands under sudo instead (cat, stat, mktemp,
 * chown, chmod, mv -f), data on stdin.
 *
 * Lock: a channel running `flock -x -w SECS LOCKFILE` around a command
 * that waits for stdin to close; the lock lives as long as the channel,
 * so it is released when relaydeck exits or its connection drops. Without
 * flock(1): a lock directory removed by the same waiting shell.
 *
 * Ownership: ssh_target_new returns a target released with target_free.
 */
#ifndef RELAYDECK_SSH_TARGET_H
#define RELAYDECK_SSH_TARGET_H

#include "ssh_session.h"
#include "target.h"

struct ssh_target_opts {
	struct ssh_opts ssh;
	const char *config_dir;	/* NULL: `postconf -h config_directory` on the host */
	const char *state_dir;	/* NULL: /var/lib/relaydeck/<dir> as root, ~/.local/state/... */
	int sudo;		/* run commands and file operations through sudo -n */
	const char *name;	/* label for messages and JSON; NULL: user@host[:port] */
};

struct target *ssh_target_new(const struct ssh_target_opts *o, struct err *e);

/* ssh_target_session - the session under an SSH target (NULL for others). */
struct ssh_session *ssh_target_session(struct target *t);

#endif
