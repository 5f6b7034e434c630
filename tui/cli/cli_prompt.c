/*
 * cli_prompt - a password prompt that always gives the terminal back.
 * See cli_prompt.h.
 *
 * The handlers only record the signal; they are installed without
 * SA_RESTART, so the blocked read returns EINTR and secret_read_fd_until
 * gives up. The terminal is restored on the normal path, then the
 * signal's previous disposition is put back and the signal raised again,
 * so Ctrl-C still ends relaydeck the way it always does (status 130).
 */
#include "config.h"
#include "cli_prompt.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "secret.h"

/* Every signal whose default action ends or stops the process, except
 * SIGPIPE (ignored by main) and those that cannot be caught: left to its
 * default, any of them would leave the terminal without echo. */
static const int caught_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGUSR1,
				      SIGUSR2, SIGPROF, SIGVTALRM, SIGXCPU, SIGXFSZ, SIGTSTP,
				      SIGTTIN, SIGTTOU };
#define NSIGNALS (sizeof(caught_signals) / sizeof(caught_signals[0]))

static volatile sig_atomic_t caught;

/* note_signal - remember the signal; the read returns EINTR. */
static void note_signal(int sig)
{
	caught = sig;
}

/* handlers_set - note_signal for every signal; the dispositions it
 * replaces are saved in old, unless old is NULL (after a stop: old still
 * holds the ones from before the prompt, which must not become ours). */
static void handlers_set(struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = note_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: the read must return */
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaction(caught_signals[i], &sa, old ? &old[i] : NULL);
}

/* handlers_restore - the dispositions from before the prompt. */
static void handlers_restore(const struct sigaction old[NSIGNALS])
{
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaction(caught_signals[i], &old[i], NULL);
}

/* is_stop - a job-control signal: stop, then ask again. */
static int is_stop(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* cli_prompt_password - no echo, and echo back on every way out. */
int cli_prompt_password(const char *prompt, struct secret *pw, struct err *e)
{
	struct sigaction old[NSIGNALS];
	struct termios saved, quiet;
	int r = 0, sig = 0;

	if (tcgetattr(STDIN_FILENO, &saved) < 0)
		return err_sys(e, "password prompt: terminal");
	handlers_set(old);
	for (;;) {
		caught = 0;
		fputs(prompt, stderr);
		fflush(stderr);
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0) {
			r = err_sys(e, "password prompt: terminal");
			break;
		}
		/* a signal that came before the read: do not wait for input */
		if (caught) {
			errno = EINTR;
			r = err_sys(e, "read secret from the terminal");
		} else {
			r = secret_read_fd_until(STDIN_FILENO, "the terminal", &caught, pw, e);
		}
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		fputc('\n', stderr);
		sig = caught;
		if (!is_stop(sig))
			break;
		/* stop with echo on, as the shell expects; ask again after fg */
		for (size_t i = 0; i < NSIGNALS; i++)
			if (caught_signals[i] == sig)
				sigaction(sig, &old[i], NULL);
		raise(sig);
		handlers_set(NULL);
		err_clear(e);
		if (tcgetattr(STDIN_FILENO, &saved) < 0) {
			r = err_sys(e, "password prompt: terminal");
			sig = 0;
			break;
		}
	}
	handlers_restore(old);
	if (sig) {
		/* what the signal would have done without the prompt */
		secret_free(pw);
		raise(sig);
		if (r == 0)
			r = err_set(e, ERR_USAGE, "password prompt interrupted");
	}
	return r;
}
