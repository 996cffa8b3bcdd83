#define _GNU_SOURCE
#include "CShims.h"
#include <sys/wait.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/xattr.h>
#include <spawn.h>

int cshims_wifexited(int status) { return WIFEXITED(status); }
int cshims_wexitstatus(int status) { return WEXITSTATUS(status); }
int cshims_wifsignaled(int status) { return WIFSIGNALED(status); }
int cshims_wtermsig(int status) { return WTERMSIG(status); }

int cshims_set_parent_death_signal(int sig) { return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0); }

int cshims_fsetxattr(int fd, const char *name, const void *value, unsigned long size) {
    return fsetxattr(fd, name, value, size, 0);
}
long cshims_getxattr(const char *path, const char *name, void *value, unsigned long size) {
    return getxattr(path, name, value, size);
}

int cshims_spawn_close_from(void *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np((posix_spawn_file_actions_t *)actions, lowest);
}
