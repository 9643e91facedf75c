export interface Series {
  label: string;
  color: string;
}

/** A small line chart of the last minutes (one sample per stats poll), redrawn on each sample. */
export class MiniChart {
  private readonly samples: { atMs: number; values: number[] }[] = [];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly series: Series[],
    private readonly windowMs = 10 * 60_000,
  ) {}

  push(atMs: number, values: number[]): void {
    this.samples.push({ atMs, values });
    while (this.samples.length && this.samples[0].atMs < atMs - this.windowMs) this.samples.shift();
    requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    const ctx = this.canvas.getContext('2d');
    if (!ctx || this.samples.length === 0) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const last = this.samples[this.samples.length - 1].atMs;
    const max = Math.max(1, ...this.samples.flatMap((s) => s.values));
    const x = (atMs: number) => width - ((last - atMs) / this.windowMs) * width;
    const y = (v: number) => height - 14 - (v / max) * (height - 20);
    this.series.forEach((series, i) => {
      ctx.strokeStyle = series.color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      this.samples.forEach((s, k) => {
        if (k === 0) ctx.moveTo(x(s.atMs), y(s.values[i]));
        else ctx.lineTo(x(s.atMs), y(s.values[i]));
      });
      ctx.stroke();
    });
    ctx.fillStyle = '#94a3b8';
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillText(`max ${max}`, 4, 10);
    ctx.fillText(`last ${Math.round(this.windowMs / 60_000)} min`, 4, height - 3);
    let lx = 70;
    for (const series of this.series) {
      ctx.fillStyle = series.color;
      ctx.fillText(series.label, lx, 10);
      lx += ctx.measureText(series.label).width + 10;
    }
  }
}
