// Quotas: GET /v1/quotas (the caller's effective quotas) and the service
// admin's /v1/project-quotas collection.

#include <boost/json.hpp>

#include "core/error.h"
#include "core/quota_rules.h"
#include "core/timestamp.h"
#include "db/project_quota_repository.h"
#include "fcgi/controller_support.h"
#include "fcgi/controllers.h"

namespace fcgi {
namespace {

using core::policy::Rule;

constexpr const char* kNotFound = "Project quotas not found.";

boost::json::object configuredBody(const core::QuotaValues& values) {
    boost::json::object body;
    for (std::size_t i = 0; i < core::kQuotaKinds.size(); ++i) {
        if (values[i]) body[core::kQuotaKinds[i]] = *values[i];
        else body[core::kQuotaKinds[i]] = nullptr;
    }
    return body;
}

Response getQuotas(App& app, Request& request) {
    requireJsonAccept(request);
    authorize(Rule::QuotasGet, request);
    std::optional<core::QuotaValues> configured;
    app.db.run([&](soci::session& sql) { configured = db::findProjectQuotas(sql, request.identity.project_id); });

    const std::array<int, core::kQuotaKinds.size()> defaults = {app.config.quota_secrets, app.config.quota_orders,
                                                                app.config.quota_containers,
                                                                app.config.quota_consumers, app.config.quota_cas};
    const auto effective = core::effectiveQuotas(configured.value_or(core::QuotaValues{}), defaults);
    boost::json::object quotas;
    for (std::size_t i = 0; i < core::kQuotaKinds.size(); ++i) quotas[core::kQuotaKinds[i]] = effective[i];
    return jsonResponse(200, boost::json::object{{"quotas", std::move(quotas)}});
}

Response listProjectQuotas(App& app, Request& request) {
    requireJsonAccept(request);
    authorize(Rule::ProjectQuotasGet, request);
    const core::Paging paging = pagingOf(app, request);
    db::ProjectQuotaPage page;
    app.db.run([&](soci::session& sql) { page = db::listProjectQuotas(sql, paging.offset, paging.limit); });

    boost::json::array items;
    for (const db::ProjectQuotaRecord& record : page.records) {
        items.push_back(boost::json::object{{"project_id", record.project_id},
                                            {"project_quotas", configuredBody(record.values)}});
    }
    boost::json::object body{{"project_quotas", std::move(items)}, {"total", page.total}};
    // Barbican spells these links "project_quotas", a path it does not
    // serve; they use the real collection path here.
    addPagingLinks(body, request, "project-quotas", paging, page.total, page.records.size());
    return jsonResponse(200, body);
}

Response getProjectQuotas(App& app, Request& request) {
    requireJsonAccept(request);
    authorize(Rule::ProjectQuotasGet, request);
    const std::string& project_id = request.param("project_id");
    // An id the database cannot store has no record.
    if (!core::isStorableProjectId(project_id)) core::throwNotFound(kNotFound);
    std::optional<core::QuotaValues> configured;
    app.db.run([&](soci::session& sql) { configured = db::findProjectQuotas(sql, project_id); });
    if (!configured) core::throwNotFound(kNotFound);
    return jsonResponse(200, boost::json::object{{"project_quotas", configuredBody(*configured)}});
}

// Creates the record or changes the values the body names; the others keep
// their values (only DELETE resets them to null).
Response putProjectQuotas(App& app, Request& request) {
    requireJsonAccept(request);
    authorize(Rule::ProjectQuotasPut, request);
    requireJsonContentType(request);
    if (request.body.empty()) core::throwInvalid("Project Quotas issue seen - No data supplied to process.");
    const core::QuotaValues given = core::parseProjectQuotasBody(parseJsonBody(app, request));

    const std::string& project_id = request.param("project_id");
    if (!core::isStorableProjectId(project_id)) {
        core::throwInvalid("Invalid project id: it must be valid UTF-8 without NUL, at most " +
                           std::to_string(core::kMaxProjectIdLength) + " characters.");
    }
    app.db.run([&](soci::session& sql) { db::upsertProjectQuotas(sql, project_id, given, core::nowUtc()); });
    return emptyResponse(204);
}

// No Accept check, because the response has no body and Barbican does not
// check it either.
Response deleteProjectQuotas(App& app, Request& request) {
    authorize(Rule::ProjectQuotasDelete, request);
    const std::string& project_id = request.param("project_id");
    if (!core::isStorableProjectId(project_id)) core::throwNotFound(kNotFound);
    bool deleted = false;
    app.db.run([&](soci::session& sql) { deleted = db::deleteProjectQuotas(sql, project_id); });
    if (!deleted) core::throwNotFound(kNotFound);
    return emptyResponse(204);
}

}  // namespace

void registerQuotaRoutes(Router& router) {
    router.add("GET", "/v1/quotas", getQuotas);
    router.add("GET", "/v1/project-quotas", listProjectQuotas);
    router.add("GET", "/v1/project-quotas/{project_id}", getProjectQuotas);
    router.add("PUT", "/v1/project-quotas/{project_id}", putProjectQuotas);
    router.add("DELETE", "/v1/project-quotas/{project_id}", deleteProjectQuotas);
}

}  // namespace fcgi
