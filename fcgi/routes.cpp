#include "fcgi/controllers.h"
#include "fcgi/router.h"

namespace fcgi {

void registerRoutes(Router& router) {
    registerVersionRoutes(router);
    registerSecretRoutes(router);
    registerSecretMetadataRoutes(router);
    registerOrderRoutes(router);
    registerContainerRoutes(router);
    registerConsumerRoutes(router);
    registerAclRoutes(router);
    registerQuotaRoutes(router);
    registerSecretStoreRoutes(router);
    registerTransportKeyRoutes(router);
}

}  // namespace fcgi
