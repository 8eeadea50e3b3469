// Process-wide cache of Winograd filter transforms for eager calls.
//
// Why: an eager conv2d cannot know whether its weight tensor changed since the last call
// (optimizers update weights in place), yet re-transforming U = G g G^T every call costs
// 15-25% of a 3x3 layer (U is 4x the weights). So an entry keeps a private copy of the
// weights it was computed from, and is reused only when the caller's weights are
// byte-identical to that copy (memcmp, ~5% of the layer's time): a changed weight is a miss,
// never a stale result. Entries are keyed by the weight pointer and shape (one per layer),
// held by shared_ptr so an evicted entry stays valid for a call still using it, and evicted
// least-recently-used beyond kCapacityBytes.
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "core/aligned_buffer.h"
#include "kernels/conv/conv2d.h"

namespace convnode {

namespace {

constexpr size_t kCapacityBytes = size_t(256) << 20;

struct Entry {
  const float* key = nullptr;
  int64_t cout = 0, cin = 0;
  Isa isa = Isa::Generic;  // U is packed for this ISA's micro-kernel
  int64_t layout = 0;      // winogradLayoutKey: tile and micro-kernel
  AlignedFloats weights;  // the copy U was computed from
  AlignedFloats u;
  size_t bytes = 0;
  uint64_t lastUse = 0;
};

std::mutex& cacheMutex() {
  static std::mutex m;
  return m;
}
std::vector<std::shared_ptr<Entry>>& entries() {
  static std::vector<std::shared_ptr<Entry>> e;
  return e;
}
uint64_t& useClock() {
  static uint64_t c = 0;
  return c;
}

}  // namespace

std::shared_ptr<const float> winogradFilterCached(const Conv2dShape& s, Isa isa, const float* w,
                                                  WinogradTile tile) {
  const int64_t layout = winogradLayoutKey(s, isa, tile);
  const size_t wBytes = static_cast<size_t>(s.cout * s.cin * 9) * sizeof(float);
  std::shared_ptr<Entry> hit;
  {
    std::lock_guard<std::mutex> lock(cacheMutex());
    for (const auto& e : entries())
      if (e->key == w && e->cout == s.cout && e->cin == s.cin && e->isa == isa &&
          e->layout == layout) hit = e;
  }
  if (hit && std::memcmp(hit->weights.get(), w, wBytes) == 0) {
    std::lock_guard<std::mutex> lock(cacheMutex());
    hit->lastUse = ++useClock();
    return std::shared_ptr<const float>(hit, hit->u.get());
  }
  // A changed weight tensor (a training step): when nothing else holds this layer's stale
  // entry, take it out of the cache and recompute into its buffers, so that a miss costs no
  // fresh 10-40 MB allocation (page faults: ~5 ms of a 12 ms miss for 512->512 @7, 2026-11-25).
  std::shared_ptr<Entry> e;
  if (hit) {
    std::lock_guard<std::mutex> lock(cacheMutex());
    auto& all = entries();
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i] == hit && hit.use_count() == 2) {  // the cache's reference and ours
        all.erase(all.begin() + static_cast<std::ptrdiff_t>(i));
        e = std::move(hit);
        break;
      }
    }
  }
  if (!e) {
    e = std::make_shared<Entry>();
    e->weights = allocFloats(static_cast<size_t>(s.cout * s.cin * 9));
    e->u = allocFloats(static_cast<size_t>(winogradFilterFloats(s, isa, tile)));
  }
  e->key = w;
  e->cout = s.cout;
  e->cin = s.cin;
  e->isa = isa;
  e->layout = layout;
  if (!e->weights || !e->u) return nullptr;
  std::memcpy(e->weights.get(), w, wBytes);
  winogradTransformFilter(s, isa, w, e->u.get(), tile);
  e->bytes = wBytes + static_cast<size_t>(winogradFilterFloats(s, isa, tile)) * sizeof(float);
  std::lock_guard<std::mutex> lock(cacheMutex());
  auto& all = entries();
  // Replace this layer's stale entry, then evict least recently used beyond the capacity.
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i]->key == w && all[i]->cout == s.cout && all[i]->cin == s.cin && all[i]->isa == isa &&
        all[i]->layout == layout) {
      all.erase(all.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  e->lastUse = ++useClock();
  all.push_back(e);
  size_t total = 0;
  for (const auto& x : all) total += x->bytes;
  while (total > kCapacityBytes && all.size() > 1) {
    size_t oldest = 0;
    for (size_t i = 1; i < all.size(); ++i)
      if (all[i]->lastUse < all[oldest]->lastUse) oldest = i;
    total -= all[oldest]->bytes;
    all.erase(all.begin() + static_cast<std::ptrdiff_t>(oldest));
  }
  return std::shared_ptr<const float>(e, e->u.get());
}

size_t winogradFilterCacheBytes() {
  std::lock_guard<std::mutex> lock(cacheMutex());
  size_t total = 0;
  for (const auto& x : entries()) total += x->bytes;
  return total;
}

}  // namespace convnode
