/*
 * ssh_shell - one /bin/sh kept open on a channel of an SSH session, which
 * runs a host's commands one after another.
 *
 * Every exec request costs the server a session channel, a forked sshd
 * child and a login shell; a fleet that opens a host and then runs one
 * command paid that twice (the opening probe, then the command). The kept
 * shell pays it once per connection. Each command is one line of shell
 * text, run with stdin from /dev/null (the shell's stdin is the channel
 * that carries the next commands, and dash reads it in 8 KiB blocks), and
 * followed by markers that carry a fresh random nonce: a line on stderr,
 * and on stdout a line with the exit status. The command's output is what
 * came before its markers, byte for byte: nothing else holds the nonce,
 * so output need not end with a newline, and only bytes that could begin
 * a marker wait for more data (a follower sees each line as it comes).
 * Each command line is in braces: one cut short is a syntax error, never
 * a shorter command. A command that needs stdin data runs on a channel of
 * its own (ssh_target.c).
 *
 * When a command overruns its deadline, is cancelled or overflows, the
 * shell's process group (the command with it) is killed and the shell is
 * dropped; the next command opens a new one.
 *
 * An exit status above 128 is reported as the signal 128 less it (how sh
 * reports a child a signal ended); a program that exits with such a code
 * on its own reads as killed. Postfix's programs exit 0, 1 or 75.
 *
 * Ownership: ssh_shell_new returns a shell released with ssh_shell_free,
 * before its session. Not thread-safe: the target's lock serialises use.
 */
#ifndef RELAYDECK_SSH_SHELL_H
#define RELAYDECK_SSH_SHELL_H

#include "ssh_session.h"
#include "target.h"

/* The PATH commands run with, ahead of the login's own: Postfix's tools
 * live in sbin, which a non-root login's PATH often lacks. */
#define SSH_REMOTE_PATH "/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin"

struct ssh_shell;

/* ssh_shell_new - a shell on s, opened on its first command; sudo: kill
 * commands with sudo -n (what the shell runs under sudo is root's). */
struct ssh_shell *ssh_shell_new(struct ssh_session *s, int sudo);
void ssh_shell_free(struct ssh_shell *);

/* ssh_shell_run - run cmd (shell text, one line; quote arguments with
 * shquote) in the kept shell. stdout goes to on_out piece by piece (a
 * non-zero return kills the command and sets o->cancelled), or into
 * o->out when on_out is NULL; stderr into o->err. what names the command
 * in errors. 0 with o filled (timed_out, cancelled or an exit status);
 * -1 with e when the shell could not run it. */
int ssh_shell_run(struct ssh_shell *, const char *cmd, const char *what, target_chunk_fn on_out,
		  void *arg, struct run_out *o, long long deadline, struct err *e);

/* ssh_kill_group - end pid and the process group it leads (after a
 * deadline), over a channel of its own. */
void ssh_kill_group(struct ssh_session *s, int sudo, long pid);

/* ssh_make_nonce - "rd-" and 24 random hex digits. */
void ssh_make_nonce(char *out, size_t outlen);

#endif
