import { expect, test } from "bun:test";
import { CounterFamily, HistogramFamily, labels, renderValue } from "./prometheus-text.ts";

test("label values are escaped as the exposition format requires (backslash, quote, newline)", () => {
  expect(labels({ a: 'x"y', b: "c:\\d", c: "line\nnext" })).toBe('{a="x\\"y",b="c:\\\\d",c="line\\nnext"}');
  expect(labels({})).toBe("");
});

test("a counter adds per label set and renders HELP, TYPE and one line per series", () => {
  const counter = new CounterFamily("t_total", "Things.");
  counter.add(labels({ k: "a" }));
  counter.add(labels({ k: "a" }), 2);
  counter.add(labels({ k: "b" }));
  expect(counter.get(labels({ k: "a" }))).toBe(3);
  expect(counter.render()).toBe('# HELP t_total Things.\n# TYPE t_total counter\nt_total{k="a"} 3\nt_total{k="b"} 1\n');
});

test("a histogram renders cumulative buckets, +Inf, sum and count; a value on a bound falls in that bucket", () => {
  const histogram = new HistogramFamily("t_seconds", "Times.", [0.1, 1]);
  for (const value of [0.05, 0.1, 0.5, 3]) histogram.observe(labels({ route: "r" }), value);
  expect(histogram.render()).toBe(
    [
      "# HELP t_seconds Times.",
      "# TYPE t_seconds histogram",
      't_seconds_bucket{route="r",le="0.1"} 2',
      't_seconds_bucket{route="r",le="1"} 3',
      't_seconds_bucket{route="r",le="+Inf"} 4',
      't_seconds_sum{route="r"} 3.65',
      't_seconds_count{route="r"} 4',
      "",
    ].join("\n"),
  );
  const bare = new HistogramFamily("u_seconds", "U.", [1]);
  bare.observe("", 2);
  expect(bare.render()).toContain('u_seconds_bucket{le="+Inf"} 1\nu_seconds_sum 2\nu_seconds_count 1\n');
});

test("a value read at render time", () => {
  expect(renderValue("g", "A gauge.", "gauge", 7)).toBe("# HELP g A gauge.\n# TYPE g gauge\ng 7\n");
});
