// Your own transport: the U-Gen client over libcurl. async_send (+ async_wait for retries and polls) model
// the concept (mediajobs/transport/transport.hpp). This one blocks and completes inline, as the contract
// allows: right for a tool, not for a game's frame loop (drive curl_multi from the loop there).
#include <mediajobs/mediajobs.hpp>
#include <curl/curl.h>
#include <cstdio>
#include <cstdlib>
#include <thread>
namespace mj = mediajobs;
struct curl_transport {
  void async_send(mj::http::request req, std::stop_token stop, mj::send_completion done) {
    mj::http::response res;
    CURL* h = curl_easy_init();
    curl_slist* headers = nullptr;
    for (const auto& f : req.headers) headers = curl_slist_append(headers, (f.name + ": " + f.value).c_str());
    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (!req.body.empty()) curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count()));  // ours to enforce
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &res.body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, +[](char* p, size_t, size_t n, std::string* b) {
      b->append(p, n);  // (a comma here would split the curl_easy_setopt macro's arguments)
      return n;
    });
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);  // the progress callback aborts on a stop request
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &stop);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, +[](std::stop_token* s, curl_off_t, curl_off_t, curl_off_t,
                                                      curl_off_t) { return s->stop_requested() ? 1 : 0; });
    const CURLcode rc = curl_easy_perform(h);
    long status = 0;
    res.status = (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status), static_cast<int>(status));
    for (curl_header* f = nullptr; (f = curl_easy_nextheader(h, CURLH_HEADER, -1, f)) != nullptr;)
      res.headers.add(f->name, f->value);
    curl_slist_free_all(headers), curl_easy_cleanup(h);
    const char* what = curl_easy_strerror(rc);  // any HTTP status is a success: the client judges it
    if (rc == CURLE_OK) return done(std::move(res));
    if (rc == CURLE_OPERATION_TIMEDOUT) return done(mj::fail(mj::error_kind::timeout, what));
    if (rc == CURLE_ABORTED_BY_CALLBACK) return done(mj::fail(mj::error_kind::cancelled, what));
    if (rc == CURLE_COULDNT_CONNECT) return done(mj::fail(mj::api::not_sent_error(what)));  // safe to repeat
    done(mj::fail(mj::error_kind::transport, what));
  }
  void async_wait(std::chrono::milliseconds d, std::stop_token stop, mj::wait_completion done) {
    std::this_thread::sleep_for(d);  // a stop is seen when the sleep ends
    done(stop.stop_requested() ? mj::result<void>(mj::fail(mj::error_kind::cancelled)) : mj::result<void>());
  }
};

int main() {  // like real code: URL and key from the environment (unset URL: the live service)
  const char *base_url = std::getenv("MEDIAJOBS_BASE_URL"), *key = std::getenv("MEDIAJOBS_API_KEY");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  curl_transport http;
  mj::ugen::client ugen{http, {.base_url = base_url != nullptr ? base_url : "", .api_key = key != nullptr ? key : ""}};
  mj::ugen::create_job_request req{
      .product_name = "Headphones", .product_image_url = "https://example.com/h.jpg", .segment_count = 3};
  auto done = mj::sync_wait(ugen.create_and_wait(std::move(req)));
  if (!done) return std::fprintf(stderr, "failed: %s\n", done.error().message().c_str()), 1;
  std::printf("job %s completed over libcurl\n", std::string{done->get_id()}.c_str());
}
