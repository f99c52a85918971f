// AdamW on the GPU (one fused multi-tensor launch) against the CPU twin over
// several parameters of odd sizes and three steps. The kernel repeats the
// twin's operations with the same fused multiply-adds, so the bits agree.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "kernels/adamw.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

TEST(AdamWCuda, MultiTensorStepMatchesCpu) {
  CTC_REQUIRE_CUDA();
  const std::vector<Shape> shapes{{7, 3, 3, 3}, {1}, {1001}, {5, 33}};
  std::vector<Tensor> w_c, m_c, v_c, g_c, w_g, m_g, v_g, g_g;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    w_c.push_back(random_normal(shapes[i], Seed{"adamw.cuda.w", i}));
    g_c.push_back(random_normal(shapes[i], Seed{"adamw.cuda.g", i}));
    m_c.push_back(Tensor::zeros(shapes[i]));
    v_c.push_back(Tensor::zeros(shapes[i]));
    w_g.push_back(test::to_gpu(w_c.back()));
    g_g.push_back(test::to_gpu(g_c.back()));
    m_g.push_back(test::to_gpu(m_c.back()));
    v_g.push_back(test::to_gpu(v_c.back()));
  }
  std::vector<AdamWSlot> cpu_slots, gpu_slots;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    cpu_slots.push_back({&g_c[i], &w_c[i], &m_c[i], &v_c[i]});
    gpu_slots.push_back({&g_g[i], &w_g[i], &m_g[i], &v_g[i]});
  }
  AdamWStep s;
  s.lr = 1e-2;
  for (std::int64_t step = 1; step <= 3; ++step) {
    s.step = step;
    adamw_step_multi(cpu_slots, s);
    adamw_step_multi(gpu_slots, s);
  }
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    SCOPED_TRACE(i);
    test::expect_close(test::to_host(w_g[i]), w_c[i], test::tol::kStrictFp32, "param");
    test::expect_close(test::to_host(m_g[i]), m_c[i], test::tol::kStrictFp32, "exp_avg");
    test::expect_close(test::to_host(v_g[i]), v_c[i], test::tol::kStrictFp32, "exp_avg_sq");
  }
}

// The device table is kept between steps and replaced when the tensors
// change: steps over one set, another set, then the first again each match
// the twin (a stale table would update the other set's tensors).
TEST(AdamWCuda, StepsOverChangingTensorSetsMatchCpu) {
  CTC_REQUIRE_CUDA();
  struct Set {
    std::vector<Tensor> w_c, g_c, m_c, v_c, w_g, g_g, m_g, v_g;
    std::vector<AdamWSlot> cpu, gpu;
  };
  auto make = [](const std::vector<Shape>& shapes, std::uint64_t tag) {
    auto s = std::make_unique<Set>();
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      s->w_c.push_back(random_normal(shapes[i], Seed{"adamw.cuda.sets.w", tag * 16 + i}));
      s->g_c.push_back(random_normal(shapes[i], Seed{"adamw.cuda.sets.g", tag * 16 + i}));
      s->m_c.push_back(Tensor::zeros(shapes[i]));
      s->v_c.push_back(Tensor::zeros(shapes[i]));
    }
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      s->w_g.push_back(test::to_gpu(s->w_c[i]));
      s->g_g.push_back(test::to_gpu(s->g_c[i]));
      s->m_g.push_back(test::to_gpu(s->m_c[i]));
      s->v_g.push_back(test::to_gpu(s->v_c[i]));
    }
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      s->cpu.push_back({&s->g_c[i], &s->w_c[i], &s->m_c[i], &s->v_c[i]});
      s->gpu.push_back({&s->g_g[i], &s->w_g[i], &s->m_g[i], &s->v_g[i]});
    }
    return s;
  };
  auto a = make({{5, 3}, {17}}, 1);
  auto b = make({{2, 2, 3, 3}, {4}, {300}}, 2);
  AdamWStep s;
  s.lr = 1e-2;
  int step = 0;
  for (Set* set : {a.get(), a.get(), b.get(), a.get()}) {
    s.step = ++step;
    adamw_step_multi(set->cpu, s);
    adamw_step_multi(set->gpu, s);
  }
  for (Set* set : {a.get(), b.get()}) {
    for (std::size_t i = 0; i < set->w_c.size(); ++i) {
      SCOPED_TRACE(i);
      test::expect_close(test::to_host(set->w_g[i]), set->w_c[i], test::tol::kStrictFp32, "param");
      test::expect_close(test::to_host(set->v_g[i]), set->v_c[i], test::tol::kStrictFp32, "exp_avg_sq");
    }
  }
}

}  // namespace
}  // namespace ctcscope
