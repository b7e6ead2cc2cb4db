#pragma once

#include "fcgi/router.h"

namespace fcgi {

// Each controller file registers its routes here; routes.cpp calls them all.
void registerVersionRoutes(Router& router);
void registerSecretRoutes(Router& router);
void registerSecretMetadataRoutes(Router& router);
void registerOrderRoutes(Router& router);
void registerContainerRoutes(Router& router);
void registerConsumerRoutes(Router& router);
void registerAclRoutes(Router& router);
void registerQuotaRoutes(Router& router);
void registerSecretStoreRoutes(Router& router);
void registerTransportKeyRoutes(Router& router);

}  // namespace fcgi
