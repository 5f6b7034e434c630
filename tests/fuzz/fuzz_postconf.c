/*
 * fuzz_postconf - libFuzzer target for reading what `postconf -d` and
 * `postconf -m` print (core/params.c), over SSH as much as locally, so
 * from a host relaydeck does not control.
 *
 * The target under test answers `postconf ... -d` with the first part of
 * the input and `postconf ... -m` with the second (the first byte picks
 * the cut). When the host loads, every well-formed "name = value" line
 * must read back as the value of its last line for that name, and every
 * table type listed must be known; when it does not, the error is
 * ERR_PARSE. The outputs are C strings to the reader (a NUL ends
 * them). Any violation aborts. Build with tests/fuzz/build.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *out_d, *out_m;
static size_t len_d, len_m;

/* fake_run - postconf's output as the input gives it; nothing is run. */
static int fake_run(struct target *t, const char *const *argv, const struct buf *in,
		    struct run_out *out, int timeout_ms, struct err *e)
{
	const char *flag = NULL;

	(void)t;
	(void)in;
	(void)timeout_ms;
	for (size_t i = 0; argv[i]; i++)
		flag = argv[i];
	if (strcmp(argv[0], "postconf") != 0 || flag == NULL)
		abort();
	out->exit_code = 0;
	if (strcmp(flag, "-d") == 0)
		return buf_append(&out->out, out_d, len_d) < 0 ? err_set(e, ERR_NOMEM, "nomem") : 0;
	if (strcmp(flag, "-m") == 0)
		return buf_append(&out->out, out_m, len_m) < 0 ? err_set(e, ERR_NOMEM, "nomem") : 0;
	abort();
}

static const struct target_ops fake_ops = { .kind = "fuzz", .run = fake_run };

/* check_line - a "name = value" line of -d output reads back (when it is
 * the last for its name). */
static void check_line(const struct params_host *h, const char *line, size_t len,
		       const char *rest, size_t restlen)
{
	char name[256], value[4096];
	const char *eq;
	size_t nlen, vlen;

	if (memchr(line, '\0', len) || (eq = memmem(line, len, " =", 2)) == NULL || eq == line)
		return;
	nlen = (size_t)(eq - line);
	if (nlen >= sizeof(name) || memmem(line, nlen, " =", 2))
		return;
	if (eq + 2 < line + len && eq[2] != ' ')
		return;
	memcpy(name, line, nlen);
	name[nlen] = '\0';
	vlen = eq + 2 < line + len ? len - nlen - 3 : 0;
	if (vlen >= sizeof(value))
		return;
	memcpy(value, eq + 3 - (vlen == 0), vlen);
	value[vlen] = '\0';
	/* a later line for the same name wins */
	{
		char key[260];
		int klen = snprintf(key, sizeof(key), "\n%s =", name);

		if (restlen && memmem(rest, restlen, key, (size_t)klen))
			return;
	}
	if (params_host_default(h, name) == NULL || strcmp(params_host_default(h, name), value) != 0)
		abort();
}

/* LLVMFuzzerTestOneInput - load the host's facts from the input, check them. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct target t = { .ops = &fake_ops, .name = "fuzz", .config_dir = "/fuzz/etc" };
	struct params_host *h;
	const char *s, *end;
	struct err e;

	if (size == 0)
		return 0;
	len_d = (size - 1) * data[0] / 255;
	out_d = (const char *)data + 1;
	out_m = out_d + len_d;
	len_m = size - 1 - len_d;
	if ((h = params_host_load(&t, &e)) == NULL) {
		if (e.code != ERR_PARSE && e.code != ERR_INVALID)
			abort();
		return 0;
	}
	/* the outputs are read as C strings: a NUL ends them */
	for (s = out_d, end = out_d + strnlen(out_d, len_d); s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;

		check_line(h, s, (size_t)(eol - s), eol, (size_t)(end - eol));
		s = nl ? nl + 1 : end;
	}
	for (s = out_m, end = out_m + strnlen(out_m, len_m); s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		char type[64];

		if (eol > s && (size_t)(eol - s) < sizeof(type) && !memchr(s, '\0', (size_t)(eol - s))) {
			memcpy(type, s, (size_t)(eol - s));
			type[eol - s] = '\0';
			if (!params_host_has_map_type(h, type))
				abort();
		}
		s = nl ? nl + 1 : end;
	}
	params_host_free(h);
	return 0;
}
