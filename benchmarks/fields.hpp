// The member lists of the benchmarked schemas, for the peers' hand-written mappings (the
// equivalent of NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE: one line per struct, shared by the peers).
// F(member, "wire key"). `extra` (unknown keys) is not mapped: the payloads have none.
#pragma once

#define BENCH_UGEN_SEGMENT(F)                                                                         \
  F(index, "index") F(status, "status") F(script, "script") F(duration_seconds, "duration_seconds")  \
  F(keyframe_url, "keyframe_url") F(video_url, "video_url") F(qai_score, "qai_score") F(retries, "retries")

#define BENCH_UGEN_OUTPUTS(F) \
  F(video_url, "video_url") F(thumbnail_url, "thumbnail_url") F(captions_url, "captions_url") F(audio_url, "audio_url")

#define BENCH_UGEN_JOB(F)                                                                                      \
  F(id, "id") F(job_id, "job_id") F(uuid, "uuid") F(status, "status") F(progress_percent, "progress_percent") \
  F(current_stage, "current_stage") F(product_name, "product_name") F(product_image_url, "product_image_url") \
  F(segment_count, "segment_count") F(segment_duration, "segment_duration") F(aspect_ratio, "aspect_ratio")   \
  F(video_model, "video_model") F(persona_id, "persona_id") F(idempotency_key, "idempotency_key")             \
  F(segments, "segments") F(outputs, "outputs") F(output_url, "output_url")                                   \
  F(credits_reserved, "credits_reserved") F(credits_used, "credits_used") F(error, "error")                   \
  F(created_at, "created_at") F(updated_at, "updated_at") F(completed_at, "completed_at")

#define BENCH_UGEN_LIST_PAGE(F)                                                                          \
  F(jobs, "jobs") F(data, "data") F(items, "items") F(page, "page") F(page_size, "page_size")            \
  F(total, "total") F(total_pages, "total_pages") F(has_more, "has_more")

#define BENCH_STYLE_DETAIL(F)                                                                                 \
  F(job_id, "job_id") F(video_id, "video_id") F(status, "status") F(progress_percent, "progress_percent")    \
  F(current_stage, "current_stage") F(created_at, "created_at") F(updated_at, "updated_at")                  \
  F(started_at, "started_at") F(completed_at, "completed_at") F(template_video_id, "template_video_id")      \
  F(style_json, "style_json") F(output_video_url, "output_video_url") F(error, "error")                      \
  F(processing_time_seconds, "processing_time_seconds")

#define BENCH_TFI_JOB(F)                                                                                    \
  F(uuid, "uuid") F(id, "id") F(job_id, "job_id") F(user_id, "user_id") F(template_id, "template_id")      \
  F(project_id, "project_id") F(input, "input") F(values, "values") F(job_status, "job_status")             \
  F(status, "status") F(job_type, "job_type") F(credit_used, "credit_used") F(output_path, "output_path")   \
  F(output_url, "output_url") F(error, "error")

#define BENCH_TFI_201(F) F(message, "message") F(job, "job")
#define BENCH_TFI_202(F) F(job_id, "jobId") F(status, "status")
#define BENCH_TFI_IMAGE(F) F(image_url, "image_url")
#define BENCH_TFI_AUDIO(F) F(audio_url, "audio_url") F(effects, "effects")
