/*
 * config.h — `serve` settings from a configuration file and the
 * environment (issue #10), and the first-start password file.
 *
 * The file is read only when ASSETTRACK_CONFIG names it (the systemd unit
 * does: /etc/assettrack/assettrack.conf), so a developer's `make run` or a
 * test never picks up an installed package's settings.  Lines are
 * `key = value`; blank lines and lines starting with '#' are skipped.
 *
 *   key                     environment                      command line
 *   listen                  ASSETTRACK_LISTEN                --listen
 *   threads                 ASSETTRACK_THREADS               --threads
 *   tls_cert                ASSETTRACK_TLS_CERT              --tls-cert
 *   tls_key                 ASSETTRACK_TLS_KEY               --tls-key
 *   quiet                   ASSETTRACK_QUIET (yes|no)        --quiet
 *   initial_password_file   ASSETTRACK_INITIAL_PASSWORD_FILE
 *
 * The command line wins over the environment, which wins over the file.
 */
#ifndef AT_WEB_CONFIG_H
#define AT_WEB_CONFIG_H

#include "web/web.h"

/* Fill what the command line left unset in `cfg` (NULL, 0) from the
 * environment, then from the file.  Strings live until the process ends.
 * Returns 0, or -1 after printing why to stderr (a usage error: exit 2). */
int web_config_load(struct web_config *cfg);

/* Where the first-start admin password is written (mode 0600), or NULL
 * when it is only printed. */
const char *web_config_password_file(void);

/* Write the first-start admin password to web_config_password_file()
 * (replacing a stale one left by an earlier database), mode 0600.
 * Returns 0, or -1 after printing why (the password was printed anyway). */
int web_config_write_password(const char *password);

/* `username` has just logged in with a password: the first time the
 * admin does, the first-start password file has served its purpose and
 * is deleted (there is no password change to wait for). */
void web_config_login_seen(const char *username);

#endif
