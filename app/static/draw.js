// The /draw page's behaviour: the canvas, uploads and the live probabilities. Digit mode is
// here; draw_number.js adds number mode through window.drawPad (at the end).
"use strict";
(() => {
  const BRUSH = 18;          // px on the 280 px canvas: about an MNIST stroke
  const DEBOUNCE_MS = 150;
  const pad = document.getElementById("pad");
  const ctx = pad.getContext("2d");
  const result = document.getElementById("result");
  const digitEl = document.getElementById("digit");
  const confidenceEl = document.getElementById("confidence");
  const notDigitEl = document.getElementById("not-digit");
  const statusEl = document.getElementById("status");
  const detailsEl = document.getElementById("details");
  const barsEl = document.getElementById("bars");
  const fileInput = document.getElementById("file");
  const preview = document.getElementById("preview");
  const base = new URL(".", document.baseURI);  // works behind a path prefix too

  let drawing = false, hasInk = false, last = null, timer = null, sequence = 0, inflight = null;

  // What a mode changes: the brush, where the drawing or a file goes, how the answer is shown.
  const digitMode = {
    brush: () => BRUSH,
    canvasRequest: () => ["predict/base64", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ image: pad.toDataURL("image/png") }),
    }],
    fileRequest: (form) => ["predict", { method: "POST", body: form }],
    render: (prediction, name) => render(prediction, name),
    prompt: "Draw a digit to start.",
    noDigit: "No digit found: draw a larger, darker digit.",
    reset: () => { resetBars(); detailsEl.textContent = ""; },
    started: () => {},  // a new stroke or file, or the canvas cleared
  };
  let mode = digitMode;

  // Ten bars, built once.
  const bars = [];
  for (let d = 0; d < 10; d++) {
    const li = document.createElement("li");
    li.innerHTML = '<span class="label"></span><span class="bar"><span class="fill"></span></span>' +
                   '<span class="value">-</span>';
    li.querySelector(".label").textContent = String(d);
    li.setAttribute("aria-label", `digit ${d}: no prediction yet`);
    barsEl.appendChild(li);
    bars.push(li);
  }

  function clearPad() {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, pad.width, pad.height);
    ctx.strokeStyle = "#000";
    ctx.fillStyle = "#000";
    ctx.lineWidth = mode.brush();
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    hasInk = false;
  }

  function point(event) {
    const rect = pad.getBoundingClientRect();
    return {
      x: (event.clientX - rect.left) * pad.width / rect.width,
      y: (event.clientY - rect.top) * pad.height / rect.height,
    };
  }

  function dot(p) {
    ctx.beginPath();
    ctx.arc(p.x, p.y, mode.brush() / 2, 0, Math.PI * 2);
    ctx.fill();
  }

  pad.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    pad.setPointerCapture(event.pointerId);
    drawing = true;
    hasInk = true;
    mode.started();
    last = point(event);
    dot(last);
    schedule();
  });
  pad.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    event.preventDefault();
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    for (const e of events.length ? events : [event]) {
      const p = point(e);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last = p;
    }
    schedule();
  });
  const stop = () => {
    if (!drawing) return;
    drawing = false;
    predictCanvas();  // at once when the stroke ends
  };
  pad.addEventListener("pointerup", stop);
  pad.addEventListener("pointercancel", stop);
  pad.addEventListener("lostpointercapture", stop);

  function reset() {
    clearPad();
    cancel();
    hidePreview();
    show("idle", "?", mode.prompt, "");
    mode.started();  // the canvas starts over
    mode.reset();
  }
  document.getElementById("clear").addEventListener("click", () => {
    reset();
    pad.focus();
  });
  pad.addEventListener("keydown", (event) => {
    if (event.key === "Escape" || event.key === "Delete") document.getElementById("clear").click();
  });

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(predictCanvas, DEBOUNCE_MS);
  }

  function cancel() {
    clearTimeout(timer);
    sequence++;
    if (inflight) inflight.abort();
    inflight = null;
  }

  function predictCanvas() {
    clearTimeout(timer);
    if (!hasInk) return;
    hidePreview();
    send(...mode.canvasRequest());
  }

  fileInput.addEventListener("change", () => {
    const file = fileInput.files && fileInput.files[0];
    if (file) predictFile(file);
    fileInput.value = "";
  });
  pad.addEventListener("dragover", (event) => { event.preventDefault(); pad.classList.add("dragover"); });
  pad.addEventListener("dragleave", () => pad.classList.remove("dragover"));
  pad.addEventListener("drop", (event) => {
    event.preventDefault();
    pad.classList.remove("dragover");
    const file = event.dataTransfer.files && event.dataTransfer.files[0];
    if (file) predictFile(file);
  });

  // A picture the browser cannot show (a HEIC photo dropped on Chrome) is still read. HEIC is
  // left out of the picker's types, so that an iPhone sends a JPEG, which decodes at reduced
  // scale: 24 MP HEICs are over the pixel limit.
  preview.addEventListener("error", () => preview.classList.remove("shown"));

  function predictFile(file) {
    clearPad();
    mode.started(file);
    preview.src = URL.createObjectURL(file);
    preview.classList.add("shown");
    const form = new FormData();
    form.append("file", file, file.name);
    send(...mode.fileRequest(form), file.name);
  }

  function hidePreview() {
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.removeAttribute("src");
    preview.classList.remove("shown");
  }

  async function send(path, options, name) {
    cancel();
    const mine = sequence;
    inflight = new AbortController();
    result.setAttribute("aria-busy", "true");
    statusEl.textContent = "Reading...";
    try {
      const response = await fetch(new URL(path, base), { ...options, signal: inflight.signal });
      const body = await response.json().catch(() => ({}));
      if (mine !== sequence) return;  // a newer request replaced this one
      if (response.ok) {
        mode.render(body, name);
      } else if (response.status === 422 && body.code === "no_digit") {
        show("empty", "-", "No digit", mode.noDigit);
        mode.reset();
      } else {
        show("error", "!", "Could not read this image", body.detail || `HTTP ${response.status}`);
        mode.reset();
      }
    } catch (error) {
      if (error.name === "AbortError" || mine !== sequence) return;
      show("error", "!", "The service did not answer", String(error.message || error));
    } finally {
      if (mine === sequence) {
        result.removeAttribute("aria-busy");
        inflight = null;
      }
    }
  }

  function show(state, digit, confidence, status) {
    result.dataset.state = state;
    digitEl.textContent = digit;
    confidenceEl.textContent = confidence;
    statusEl.textContent = status;
    flag(false);
  }

  // The model's rule takes the reading for no digit (is_digit false): a visible mark.
  function flag(on, text = "not a digit?") {
    notDigitEl.hidden = !on;
    notDigitEl.textContent = text;
    result.toggleAttribute("data-not-digit", on);
  }

  function resetBars() {
    bars.forEach((li, d) => {
      li.classList.remove("top");
      li.querySelector(".fill").style.width = "0";
      li.querySelector(".value").textContent = "-";
      li.setAttribute("aria-label", `digit ${d}: no prediction yet`);
    });
  }

  function percent(p) { return `${(p * 100).toFixed(1)} %`; }

  function render(prediction, name) {
    const guess = prediction.is_digit === false;
    show("result", String(prediction.digit), `${percent(prediction.confidence)} confident`,
         guess ? "This does not look like a handwritten digit: the reading is a guess." : "");
    flag(guess);
    prediction.probabilities.forEach((p, d) => {
      const li = bars[d];
      li.classList.toggle("top", d === prediction.digit);
      li.querySelector(".fill").style.width = `${(p * 100).toFixed(1)}%`;
      li.querySelector(".value").textContent = percent(p);
      li.setAttribute("aria-label", `digit ${d}: ${percent(p)}`);
    });
    describe(prediction, name);
  }

  function describe(answer, name) {
    const info = answer.preprocessing;
    const source = name ? `${name}: ` : "";
    detailsEl.textContent = `${source}${info.format} ${info.width}x${info.height} ${info.mode}` +
      `${info.inverted ? ", dark ink on light" : ""}${info.had_alpha ? ", alpha channel" : ""}` +
      ` - answered in ${answer.timing_ms.total.toFixed(1)} ms`;
  }

  clearPad();

  // For draw_number.js: setMode clears the old mode's answer, then the page for the new one
  // (resize the canvas first: its brush and size count from then on).
  window.drawPad = {
    pad, ctx, digitMode, show, flag, percent, describe,
    setMode(next) {
      mode.reset();
      mode = next;
      reset();
    },
  };
})();
