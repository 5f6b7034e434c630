/*
 * fiber - cooperative tasks in one thread (see fiber.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "fiber.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define ASAN_START(save, bottom, size) __sanitizer_start_switch_fiber(save, bottom, size)
#define ASAN_FINISH(save, bottom, size) __sanitizer_finish_switch_fiber(save, bottom, size)
#else
#define ASAN_START(save, bottom, size) ((void)(save), (void)(bottom), (void)(size))
#define ASAN_FINISH(save, bottom, size) ((void)(save), (void)(bottom), (void)(size))
#endif

enum fiber_state { FIBER_READY, FIBER_WAITING, FIBER_DONE };

struct fiber {
	struct fiber_loop *loop;
	ucontext_t ctx;
	void *map;		/* guard page + stack */
	size_t map_len;
	fiber_fn fn;
	void *arg;
	long long deadline;	/* 0: none */
	struct fiber_stdio io;
	enum fiber_state state;
	struct pollfd pfd;	/* what it waits for; fd < 0: a timer only */
	long long wake;		/* when the wait times out; -1: never */
	int result;		/* what fiber_poll returns on resume */
	void *fake_stack;	/* AddressSanitizer's, while switched out */
	struct fiber *next;
};

struct fiber_loop {
	ucontext_t ctx;
	struct fiber *fibers;	/* newest first */
	const void *main_bottom;	/* the loop's stack, for AddressSanitizer */
	size_t main_size;
	void *fake_stack;
};

/* per thread: the console runs a fleet loop in a worker while its main
 * thread talks to one host the ordinary way */
static _Thread_local struct fiber *current;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct fiber_loop *fiber_loop_new(struct err *e)
{
	struct fiber_loop *l = calloc(1, sizeof(*l));

	if (l == NULL)
		err_set(e, ERR_NOMEM, "out of memory");
	return l;
}

static void fiber_release(struct fiber *f)
{
	if (f->map != NULL)
		munmap(f->map, f->map_len);
	free(f);
}

void fiber_loop_free(struct fiber_loop *l)
{
	if (l == NULL)
		return;
	while (l->fibers != NULL) {
		struct fiber *f = l->fibers;

		l->fibers = f->next;
		fiber_release(f);
	}
	free(l);
}

int fiber_in(void)
{
	return current != NULL;
}

int fiber_expired(void)
{
	return current != NULL && current->deadline > 0 && now_ms() >= current->deadline;
}

/* trampoline - the first frame of every fiber; returning resumes the loop
 * through uc_link. */
static void trampoline(void)
{
	struct fiber *f = current;

	ASAN_FINISH(NULL, &f->loop->main_bottom, &f->loop->main_size);
	f->fn(f->arg);
	f->state = FIBER_DONE;
	/* NULL: this fiber's stack is going away */
	ASAN_START(NULL, f->loop->main_bottom, f->loop->main_size);
}

int fiber_spawn(struct fiber_loop *l, fiber_fn fn, void *arg, long long deadline,
		const struct fiber_stdio *io, struct err *e)
{
	long page = sysconf(_SC_PAGESIZE);
	struct fiber *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	f->map_len = FIBER_STACK + (size_t)page;
	f->map = mmap(NULL, f->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (f->map == MAP_FAILED) {
		f->map = NULL;
		free(f);
		return err_sys(e, "allocate a task stack");
	}
	/* an overflow faults instead of writing over the next mapping */
	mprotect(f->map, (size_t)page, PROT_NONE);
	if (getcontext(&f->ctx) < 0) {
		fiber_release(f);
		return err_sys(e, "getcontext");
	}
	f->ctx.uc_stack.ss_sp = (char *)f->map + page;
	f->ctx.uc_stack.ss_size = FIBER_STACK;
	f->ctx.uc_link = &l->ctx;
	makecontext(&f->ctx, trampoline, 0);
	f->loop = l;
	f->fn = fn;
	f->arg = arg;
	f->deadline = deadline;
	if (io)
		f->io = *io;
	f->state = FIBER_READY;
	f->pfd.fd = -1;
	f->next = l->fibers;
	l->fibers = f;
	return 0;
}

/* resume - run f until it waits or returns. */
static void resume(struct fiber_loop *l, struct fiber *f)
{
	FILE *si = stdin, *so = stdout, *se = stderr;

	if (f->io.in != NULL)
		stdin = f->io.in;
	if (f->io.out != NULL)
		stdout = f->io.out;
	if (f->io.err != NULL)
		stderr = f->io.err;
	current = f;
	ASAN_START(&l->fake_stack, f->ctx.uc_stack.ss_sp, f->ctx.uc_stack.ss_size);
	swapcontext(&l->ctx, &f->ctx);
	ASAN_FINISH(l->fake_stack, NULL, NULL);
	current = NULL;
	stdin = si;
	stdout = so;
	stderr = se;
}

/* reap - free the fibers that have returned. */
static void reap(struct fiber_loop *l)
{
	struct fiber **pp = &l->fibers;

	while (*pp != NULL) {
		struct fiber *f = *pp;

		if (f->state == FIBER_DONE) {
			*pp = f->next;
			fiber_release(f);
		} else {
			pp = &f->next;
		}
	}
}

int fiber_loop_run(struct fiber_loop *l, struct err *e)
{
	struct pollfd *p = NULL;
	struct fiber **who = NULL;
	size_t cap = 0;

	for (;;) {
		size_t n = 0, live = 0;
		long long now, wake = -1;
		int r, timeout;

		/* Run what is ready; a fiber spawned meanwhile is at the head
		 * and runs on the next pass. */
		for (struct fiber *f = l->fibers; f != NULL; f = f->next)
			if (f->state == FIBER_READY)
				resume(l, f);
		reap(l);
		for (struct fiber *f = l->fibers; f != NULL; f = f->next) {
			live++;
			if (f->state == FIBER_READY)
				wake = 0;
		}
		if (live == 0)
			break;
		if (live > cap) {
			size_t ncap = live * 2;
			struct pollfd *np = realloc(p, ncap * sizeof(*np));
			struct fiber **nw;

			if (np == NULL) {
				free(who);
				free(p);
				return err_set(e, ERR_NOMEM, "out of memory");
			}
			p = np;
			nw = realloc(who, ncap * sizeof(*nw));
			if (nw == NULL) {
				free(who);
				free(p);
				return err_set(e, ERR_NOMEM, "out of memory");
			}
			who = nw;
			cap = ncap;
		}
		for (struct fiber *f = l->fibers; f != NULL; f = f->next) {
			if (f->state != FIBER_WAITING)
				continue;
			if (f->wake >= 0 && (wake < 0 || f->wake < wake))
				wake = f->wake;
			if (f->pfd.fd >= 0) {
				p[n] = f->pfd;
				p[n].revents = 0;
				who[n++] = f;
			}
		}
		now = now_ms();
		timeout = wake < 0 ? -1 : wake <= now ? 0 : wake - now > 1000000 ? 1000000
									  : (int)(wake - now);
		do {
			r = poll(p, n, timeout);
		} while (r < 0 && errno == EINTR);
		if (r < 0) {
			free(who);
			free(p);
			return err_sys(e, "poll");
		}
		for (size_t i = 0; i < n; i++)
			if (p[i].revents != 0) {
				who[i]->pfd.revents = p[i].revents;
				who[i]->result = 1;
				who[i]->state = FIBER_READY;
			}
		now = now_ms();
		for (struct fiber *f = l->fibers; f != NULL; f = f->next)
			if (f->state == FIBER_WAITING && f->wake >= 0 && f->wake <= now) {
				f->pfd.revents = 0;
				f->result = 0;
				f->state = FIBER_READY;
			}
	}
	free(who);
	free(p);
	return 0;
}

int fiber_poll(struct pollfd *p, int timeout_ms)
{
	struct fiber *f = current;
	struct fiber_loop *l;
	long long now;

	if (f == NULL) {
		if (p->fd < 0) {
			struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
			return 0;
		}
		return poll(p, 1, timeout_ms);
	}
	l = f->loop;
	now = now_ms();
	if (f->deadline > 0 && now >= f->deadline)
		return 0;
	f->wake = timeout_ms < 0 ? -1 : now + timeout_ms;
	if (f->deadline > 0 && (f->wake < 0 || f->wake > f->deadline))
		f->wake = f->deadline;
	f->pfd = *p;
	f->pfd.revents = 0;
	f->state = FIBER_WAITING;
	ASAN_START(&f->fake_stack, l->main_bottom, l->main_size);
	swapcontext(&f->ctx, &l->ctx);
	ASAN_FINISH(f->fake_stack, &l->main_bottom, &l->main_size);
	p->revents = f->pfd.revents;
	return f->result;
}
