"""Store, fetch and delete a key through Castellan's Barbican backend.

Usage: castellan_check.py AUTH_URL PROJECT USER PASSWORD BARBICAN_URL

AUTH_URL is Keystone's v3 URL. Prints "stored <id>" and exits 0 when the key
read back equals the key stored; tests/e2e/keystone_test.cpp runs it.
"""

import os
import sys

from castellan.common.credentials import keystone_password
from castellan.common.objects import symmetric_key
from castellan import key_manager
from castellan import options
from oslo_config import cfg


def main():
    auth_url, project, user, password, barbican_url = sys.argv[1:6]
    conf = cfg.ConfigOpts()
    conf([], project="castellan-check")
    options.set_defaults(conf, backend="barbican", barbican_endpoint=barbican_url,
                         auth_endpoint=auth_url, number_of_retries=10, retry_delay=1)
    manager = key_manager.API(conf)
    context = keystone_password.KeystonePassword(
        password=password, auth_url=auth_url, username=user, user_domain_name="Default",
        project_name=project, project_domain_name="Default")

    material = os.urandom(32)
    key_id = manager.store(context, symmetric_key.SymmetricKey("AES", 256, material))
    print("stored", key_id, flush=True)
    fetched = manager.get(context, key_id)
    if fetched.get_encoded() != material:
        print("the key read back differs from the key stored")
        return 1
    manager.delete(context, key_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
