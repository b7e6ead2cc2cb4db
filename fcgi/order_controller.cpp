// Orders: POST stores a PENDING order and queues its id for the job-runner;
// GET, list and DELETE read and soft-delete the caller's project's orders.
#include <boost/json.hpp>

#include <algorithm>

#include "core/crypto.h"
#include "core/error.h"
#include "core/log.h"
#include "core/secret_rules.h"
#include "db/order_repository.h"
#include "db/quota.h"
#include "db/transaction.h"
#include "fcgi/controller_support.h"
#include "fcgi/controllers.h"

namespace fcgi {
namespace {

using core::policy::Rule;

boost::json::object orderJson(const Request& request, const db::OrderRecord& order) {
    boost::json::object json;
    json["order_ref"] = hrefFor(request, "orders", order.id);
    json["type"] = order.type;
    json["meta"] = order.meta;
    json["status"] = order.status;
    json["created"] = order.created;
    json["updated"] = order.updated;
    if (order.creator_id) json["creator_id"] = *order.creator_id;
    if (order.secret_id) json["secret_ref"] = hrefFor(request, "secrets", *order.secret_id);
    if (order.container_id) json["container_ref"] = hrefFor(request, "containers", *order.container_id);
    if (order.sub_status) json["sub_status"] = *order.sub_status;
    if (order.sub_status_message) json["sub_status_message"] = *order.sub_status_message;
    if (order.error_status_code) json["error_status_code"] = *order.error_status_code;
    if (order.error_reason) json["error_reason"] = *order.error_reason;
    return json;
}

// The caller's order, or 404. Orders are looked up inside the caller's
// project, so another project's order is 404 as well.
db::OrderRecord findOrderOr404(App& app, const Request& request) {
    std::optional<db::OrderRecord> order;
    app.db.run([&](soci::session& sql) { order = db::findOrder(sql, request.identity.project_id, request.param("id")); });
    if (!order) core::throwNotFound("Order not found.");
    return std::move(*order);
}

// Overwrites the passphrase string in a parsed order body before the body
// is freed.
void wipePassphrase(boost::json::object& body) {
    boost::json::value* meta = body.if_contains("meta");
    if (meta == nullptr || !meta->is_object()) return;
    boost::json::value* passphrase = meta->as_object().if_contains("passphrase");
    if (passphrase == nullptr || !passphrase->is_string()) return;
    boost::json::string& text = passphrase->as_string();
    std::fill(text.data(), text.data() + text.size(), '\0');
}

core::policy::Target targetOf(const Request& request, const db::OrderRecord& order) {
    core::policy::Target target;
    target.project_id = request.identity.project_id;
    target.creator_id = order.creator_id;
    return target;
}

Response postOrder(App& app, Request& request) {
    requireJsonAccept(request);
    authorize(Rule::OrdersPost, request);
    requireJsonContentType(request);
    boost::json::object body = parseJsonBody(app, request);
    core::OrderRequest order =
        core::parseOrderRequest(body, core::SecretLimits{app.config.max_secret_bytes}, core::nowUtc());
    wipePassphrase(body);

    db::NewOrderRecord record;
    record.id = core::newUuidV4();
    record.project_id = request.identity.project_id;
    record.type = order.type;
    record.meta = std::move(order.meta);
    record.creator_id = request.identity.user_id;

    app.db.run([&](soci::session& sql) {
        const db::ProjectKeyStore::ProjectKey& key = app.project_keys.keyFor(sql, record.project_id);
        // Unlike the reference, which keeps the passphrase in the order's
        // meta and returns it in every order response, the passphrase is
        // stored only encrypted under the project key, bound to the order id.
        if (order.passphrase) {
            record.passphrase_ciphertext_hex =
                db::encryptOrderPassphraseHex(key, record.id, record.project_id, *order.passphrase);
            core::wipeString(*order.passphrase);
        }
        const core::Timestamp now = core::nowUtc();
        if (app.config.quota_orders < 0 && db::insertOrderWithoutProjectQuota(sql, record, now)) return;
        db::Transaction transaction(sql);
        db::enforceQuota(sql, app.config, record.project_id, db::QuotaResource::Orders, "Order creation");
        db::insertOrder(sql, record, now);
        transaction.commit();
    });

    // The committed row is the order; the push only wakes a job-runner. When
    // it fails, a runner's periodic sweep finds the order in the database.
    if (!app.queue.push(record.id)) {
        core::log::warning("order_push_failed").kv("order_id", record.id).kv("request_id", request.request_id);
    }

    const std::string href = hrefFor(request, "orders", record.id);
    Response response = jsonResponse(202, boost::json::object{{"order_ref", href}});
    response.setHeader("Location", href);
    return response;
}

Response listOrders(App& app, Request& request) {
    requireJsonAccept(request);
    authorize(Rule::OrdersGet, request);
    const core::Paging paging = pagingOf(app, request);
    const std::string meta_filter = request.queryValue("meta").value_or("");

    db::OrderPage page;
    app.db.run([&](soci::session& sql) {
        page = db::listOrders(sql, request.identity.project_id, meta_filter, paging.offset, paging.limit);
    });

    boost::json::array orders;
    for (const db::OrderRecord& order : page.orders) orders.push_back(orderJson(request, order));
    boost::json::object body;
    body["orders"] = std::move(orders);
    body["total"] = page.total;
    addPagingLinks(body, request, "orders", paging, page.total, page.orders.size());
    return jsonResponse(200, body);
}

Response putOrders(App&, Request& request) {
    requireJsonAccept(request);
    authorize(Rule::OrdersPut, request);
    throw core::Error(core::ErrorKind::MethodNotAllowed, "Order update is not supported.");
}

Response getOrder(App& app, Request& request) {
    const db::OrderRecord order = findOrderOr404(app, request);
    requireJsonAccept(request);
    const core::policy::Target target = targetOf(request, order);
    authorize(Rule::OrderGet, request, &target);
    return jsonResponse(200, orderJson(request, order));
}

Response deleteOrder(App& app, Request& request) {
    const db::OrderRecord order = findOrderOr404(app, request);
    const core::policy::Target target = targetOf(request, order);
    authorize(Rule::OrderDelete, request, &target);
    bool deleted = false;
    app.db.run([&](soci::session& sql) {
        deleted = db::deleteOrder(sql, request.identity.project_id, order.id);
    });
    // A concurrent DELETE got there first.
    if (!deleted) core::throwNotFound("Order not found.");
    return emptyResponse(204);
}

}  // namespace

void registerOrderRoutes(Router& router) {
    router.add("POST", "/v1/orders", postOrder);
    router.add("GET", "/v1/orders", listOrders);
    router.add("PUT", "/v1/orders", putOrders);
    router.add("GET", "/v1/orders/{id}", getOrder);
    router.add("DELETE", "/v1/orders/{id}", deleteOrder);
}

}  // namespace fcgi
