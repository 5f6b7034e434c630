/*
 * fuzz_maincf - libFuzzer target for the main.cf model.
 *
 * Whatever parses must serialize back to the exact input. Then a set and
 * an unset (name and value taken from the input) must not crash, the
 * result must parse again, the set value must read back, and
 * maincf_line must point at the line that defines the name. Any
 * violation aborts. Build with tests/fuzz/build.sh.
 *
 * FUZZ_LIBS: -lcrypto
 * FUZZ_SEEDS: tests/data/maincf
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maincf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* pick_name - a valid parameter name drawn from the input bytes. */
static void pick_name(const uint8_t *data, size_t size, char *out, size_t outlen)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz_.-0123456789";
	size_t i, n = size ? (data[0] % 12) + 1 : 1;

	if (n >= outlen)
		n = outlen - 1;
	for (i = 0; i < n; i++)
		out[i] = alphabet[(i + 1 < size ? data[i + 1] : i) % (sizeof(alphabet) - 1)];
	out[n] = '\0';
}

/* line_starts_with - does 1-based line n of s begin with name, then a blank or "="? */
static int line_starts_with(const char *s, int n, const char *name)
{
	size_t len = strlen(name);

	while (--n > 0) {
		s = strchr(s, '\n');
		if (s == NULL)
			return 0;
		s++;
	}
	/* an edit keeps its line's own layout: "name = v", "name=v", "name\t= v",
	 * and any other blank the parser takes as one (\f, \v: Postfix's isspace) */
	return strncmp(s, name, len) == 0 && (isspace((unsigned char)s[len]) || s[len] == '=');
}

/* reparse - the edited model must serialize to bytes that parse to the same value. */
static void reparse(const struct maincf *m, const char *name, const char *want)
{
	struct buf out = BUF_INIT;
	struct maincf *again;
	const char *got;
	struct err e;

	if (maincf_serialize(m, &out) < 0)
		abort();
	again = maincf_parse("fuzz", out.data ? out.data : "", out.len, &e);
	if (again == NULL)
		abort();
	got = maincf_get(again, name);
	if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0))
		abort();
	if (want && !line_starts_with(out.data, maincf_line(m, name), name))
		abort();
	maincf_free(again);
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT;
	struct maincf *m;
	struct err e;
	char name[16], value[160], *want;
	size_t vlen;

	m = maincf_parse("fuzz", (const char *)data, size, &e);
	if (m == NULL)
		return 0;
	if (maincf_serialize(m, &out) < 0 || out.len != size ||
	    (size && memcmp(out.data, data, size) != 0))
		abort();
	buf_free(&out);

	/* An existing name when the input starts with an odd byte and has
	 * one, else a name made from the input. */
	pick_name(data, size, name, sizeof(name));
	if (size > 0 && (data[0] & 1)) {
		const char **names;
		size_t n;

		if (maincf_names(m, &names, &n) < 0)
			abort();
		if (n > 0 && strlen(names[data[0] % n]) < sizeof(name) &&
		    strspn(names[data[0] % n], "abcdefghijklmnopqrstuvwxyz"
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(names[data[0] % n]))
			strcpy(name, names[data[0] % n]);
		free(names);
	}
	/* The raw bytes (often refused), then with control characters blanked. */
	vlen = size > sizeof(value) - 1 ? sizeof(value) - 1 : size;
	memcpy(value, data, vlen);
	value[vlen] = '\0';
	if (maincf_set(m, name, value, &e) < 0) {
		size_t i;

		if (e.code != ERR_INVALID)
			abort();
		for (i = 0; i < vlen; i++)
			if ((unsigned char)value[i] < 0x20 || (unsigned char)value[i] == 0x7f)
				value[i] = ' ';
	}
	if (maincf_set(m, name, value, &e) == 0) {
		want = strdup(maincf_get(m, name));
		if (want == NULL)
			abort();
		reparse(m, name, want);
		free(want);
	}
	/* a long folded list, then unset */
	if (maincf_set(m, name, "a, b c,d { e, f } #g h, i, j, k, l, m, n, o, p, q, r, s, t, "
		       "u, v, w, x, y, z, aa, bb, cc, dd", &e) < 0)
		abort();
	reparse(m, name, "a, b c,d { e, f } #g h, i, j, k, l, m, n, o, p, q, r, s, t, "
		"u, v, w, x, y, z, aa, bb, cc, dd");
	if (maincf_unset(m, name, &e) < 0)
		abort();
	reparse(m, name, NULL);
	maincf_free(m);
	return 0;
}
