/*
 * fiber - cooperative tasks in one thread, for driving many SSH sessions
 * from one poll loop without a thread or process per host.
 *
 * Every blocking point of the SSH code is a poll on the session's socket
 * (ssh_session_wait, the non-blocking connect, the resolver wait). Those
 * call fiber_poll: outside a fiber it is poll(2); inside one it parks the
 * fiber and returns to the loop, which polls the sockets of all parked
 * fibers at once and resumes those that are ready or whose timeout ran
 * out. So any core operation, written as straight-line code over the
 * target interface, runs unchanged as one fiber per host.
 *
 * Each fiber has its own deadline: once it passes, fiber_poll in that
 * fiber times out at once, so the operation fails with its own "no answer
 * in time" error and unwinds normally (nothing is abandoned half-way).
 *
 * Each fiber may also have its own stdin, stdout and stderr: the loop
 * points the process's streams at them while the fiber runs (stdio streams are
 * plain variables in glibc; tui/termout.c replaces them the same way), so
 * a command's printed output is captured per host.
 *
 * Stacks are mmap'd (FIBER_STACK bytes, a guard page below), touched only
 * as deep as they are used. Under AddressSanitizer the switches are
 * announced to it.
 *
 * Ownership: fiber_loop_new returns a loop the caller frees with
 * fiber_loop_free after fiber_loop_run; a fiber's stack is released when
 * its function returns.
 */
#ifndef RELAYDECK_FIBER_H
#define RELAYDECK_FIBER_H

#include <poll.h>
#include <stdio.h>

#include "err.h"

#define FIBER_STACK (1024u * 1024u)

struct fiber_loop;
typedef void (*fiber_fn)(void *arg);

struct fiber_loop *fiber_loop_new(struct err *e);
void fiber_loop_free(struct fiber_loop *l);

/* The streams a fiber sees as stdin, stdout, stderr (NULL: the process's). */
struct fiber_stdio {
	FILE *in, *out, *err;
};

/* fiber_spawn - a fiber that runs fn(arg) once the loop runs; deadline is
 * a CLOCK_MONOTONIC time in ms (0: none); io may be NULL. */
int fiber_spawn(struct fiber_loop *l, fiber_fn fn, void *arg, long long deadline,
		const struct fiber_stdio *io, struct err *e);

/* fiber_loop_run - run until every fiber (including those spawned while
 * it runs) has returned. */
int fiber_loop_run(struct fiber_loop *l, struct err *e);

/* fiber_poll - poll(2) for one descriptor (fd < 0: just wait). Inside a
 * fiber the wait is shared with the other fibers; the timeout is cut to
 * the fiber's deadline, and 0 is returned at once when it has passed. */
int fiber_poll(struct pollfd *p, int timeout_ms);

/* fiber_in - nonzero when called from a fiber. */
int fiber_in(void);

/* fiber_expired - nonzero when called from a fiber whose deadline passed. */
int fiber_expired(void);

#endif
