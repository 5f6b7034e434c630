/*
 * datafile - shipped files, installed or in a build tree. See datafile.h.
 */
#include "config.h"
#include "datafile.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* try - dir/name into out when it fits and accept takes it. */
static int try(const char *dir, size_t dirlen, const char *name,
	       int (*accept)(const char *path), char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%.*s/%s", (int)dirlen, dir, name);

	return n > 0 && (size_t)n < outlen && accept(out);
}

int datafile_find(const char *installed, const char *in_tree, int (*accept)(const char *path),
		  char *out, size_t outlen)
{
	const char *file = __FILE__, *slash;
	char exe[PATH_MAX];
	ssize_t n;

#ifdef PKGDATADIR
	if (try(PKGDATADIR, strlen(PKGDATADIR), installed, accept, out, outlen))
		return 0;
#else
	(void)installed;
#endif
	/* A binary run from its build tree (in the source tree). */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL &&
		    try(exe, (size_t)(slash - exe), in_tree, accept, out, outlen))
			return 0;
	}
	/* A build outside the source tree: the tree this file (core/) is in,
	 * when the compiler was given its absolute path. */
	if (file[0] == '/' && (slash = strrchr(file, '/')) != NULL) {
		const char *top = slash;

		while (top > file && *--top != '/')
			;
		if (top > file && try(file, (size_t)(top - file), in_tree, accept, out, outlen))
			return 0;
	}
	return -1;
}
