#include "core/pathcomplete.h"
#include "core/util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *pathcomplete(const char *typed, size_t *n)
{
	const char *slash = strrchr(typed, '/');
	char *dir = slash ? xstrndup(typed, (size_t)(slash - typed) + 1) : xstrdup("");
	const char *base = slash ? slash + 1 : typed;
	size_t blen = strlen(base);
	*n = 0;
	DIR *d = opendir(*dir ? dir : ".");
	char *common = NULL; /* the longest prefix the matches share */
	int is_dir = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		const char *name = e->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (strncmp(name, base, blen) != 0 || (name[0] == '.' && base[0] != '.'))
			continue;
		(*n)++;
		if (!common) {
			common = xstrdup(name);
			char *full = xasprintf("%s%s", dir, name);
			struct stat st;
			is_dir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
			free(full);
		} else {
			size_t k = 0;
			while (common[k] && common[k] == name[k])
				k++;
			common[k] = 0;
		}
	}
	if (d)
		closedir(d);
	char *out = common ? xasprintf("%s%s%s", dir, common, *n == 1 && is_dir ? "/" : "")
			   : xstrdup(typed);
	free(common);
	free(dir);
	return out;
}
