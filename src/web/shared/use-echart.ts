import { type ECharts, init } from "echarts/core";
import { useEffect, useRef } from "react";

/**
 * An ECharts instance bound to a div, resized with it and disposed with it. SVG for charts
 * (crisp in screenshots and print), canvas where thousands of items must stay fluid.
 */
export function useEChart(renderer: "svg" | "canvas") {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  useEffect(() => {
    if (!element.current) return;
    chart.current = init(element.current, undefined, { renderer });
    const resize = new ResizeObserver(() => chart.current?.resize());
    resize.observe(element.current);
    return () => {
      resize.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, [renderer]);
  return { element, chart };
}
