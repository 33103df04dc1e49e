// The /draw page's number mode: a wide canvas whose drawing goes to /predict/number, the number
// read, and each digit's box drawn on an overlay above the drawing (never into the drawing,
// which is what is uploaded). Digit mode and the canvas itself are draw.js's (window.drawPad).
"use strict";
(() => {
  const WIDTH = 700, HEIGHT = 200;  // CSS px of the wide canvas (draw.html: aspect-ratio 7 / 2)
  const MAX_RATIO = 2;              // device px per CSS px: finer strokes tell the network nothing
  const BOX = "#2f5bd3";            // on the canvas, white in either colour scheme
  const FLAGGED = "#b45309";        // a digit the model takes for no digit (is_digit false)
  const { pad, digitMode, show, flag, percent, describe } = window.drawPad;
  const ctx = pad.getContext("2d");
  const overlay = document.getElementById("overlay");
  const octx = overlay.getContext("2d");
  const digitsEl = document.getElementById("digits");
  const element = (id) => document.getElementById(id);
  const buttons = { digit: element("mode-digit"), number: element("mode-number") };
  const TEXTS = {
    digit: {
      title: "Draw a digit",
      intro: "Draw one digit (0-9) in the box, or upload a picture of one. " +
             "The network reads it as you draw.",
      heading: "Your digit",
      pad: "Drawing area: draw a digit with a mouse, pen or finger, or drop an image file here",
      answer: "Predicted digit",
    },
    number: {
      title: "Write a number",
      intro: "Write a number (digits 0-9, left to right) in the wide box, or upload a picture " +
             "of one. The network finds each digit and reads it as you write.",
      heading: "Your number",
      pad: "Wide drawing area: write a number with a mouse, pen or finger, " +
           "or drop an image file here",
      answer: "Number read",
    },
  };

  let answer = null;  // the reading shown, kept to redraw its boxes when the canvas is resized
  let view = null;    // where the read image sits on the canvas, in canvas px: {scale, x, y}
  let loads = 0;      // uploads shown on the canvas; a newer stroke or upload outdates one

  // The canvas as a PNG file, at once (toBlob's callback could land after a newer stroke's).
  function canvasPng() {
    const text = atob(pad.toDataURL("image/png").split(",")[1]);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return new Blob([bytes], { type: "image/png" });
  }

  const numberMode = {
    brush: () => Math.max(4, Math.round(pad.height / 14)),  // 14 px on a 200 px canvas
    canvasRequest: () => {
      view = { scale: 1, x: 0, y: 0 };
      const form = new FormData();
      form.append("file", canvasPng(), "number.png");
      return ["predict/number", { method: "POST", body: form }];
    },
    fileRequest: (form) => ["predict/number", { method: "POST", body: form }],
    render,
    prompt: "Write a number to start.",
    noDigit: "No digit found: write larger, darker digits.",
    reset: () => {  // the answer only: an upload still loading is shown all the same
      answer = null;
      digitsEl.replaceChildren();
      element("details").textContent = "";
      drawBoxes();
    },
    started: (file) => {  // a stroke begins, a file is sent, or the canvas is cleared
      loads++;
      answer = null;
      drawBoxes();
      if (file) showFile(file);
    },
  };

  // An upload is drawn into the canvas, fitted and centred, so that its boxes have a backdrop.
  function showFile(file) {
    view = null;
    const mine = loads;
    const url = URL.createObjectURL(file);
    const image = new Image();
    image.onload = () => {
      URL.revokeObjectURL(url);
      if (mine !== loads) return;
      const scale = Math.min(pad.width / image.naturalWidth, pad.height / image.naturalHeight);
      const width = image.naturalWidth * scale, height = image.naturalHeight * scale;
      view = { scale, x: (pad.width - width) / 2, y: (pad.height - height) / 2 };
      ctx.drawImage(image, view.x, view.y, width, height);
      drawBoxes();
    };
    image.onerror = () => URL.revokeObjectURL(url);  // a TIFF, say: read, but not shown
    image.src = url;
  }

  function render(reading, name) {
    answer = reading;
    const count = reading.digits.length;
    const guesses = reading.digits.flatMap((d, i) => (d.is_digit === false ? [i + 1] : []));
    show("result", reading.number, `${percent(reading.confidence)} confident`,
         `${count} digit${count === 1 ? "" : "s"} read` +
         (guesses.length ? `; ${guesses.length} ${guesses.length === 1 ? "does" : "do"} not` +
                           " look like a handwritten digit" : ""));
    flag(guesses.length > 0,
         `not a digit? (digit${guesses.length > 1 ? "s" : ""} ${guesses.join(", ")})`);
    digitsEl.replaceChildren(...reading.digits.map((d, i) => {
      const li = document.createElement("li");
      const digit = document.createElement("b");
      digit.textContent = String(d.digit);
      li.append(digit, percent(d.confidence));
      const guess = d.is_digit === false;
      li.classList.toggle("flagged", guess);
      li.setAttribute("aria-label", `digit ${i + 1}: ${d.digit}, ${percent(d.confidence)} confident` +
                                    (guess ? ", not a digit?" : ""));
      return li;
    }));
    describe(reading, name);
    drawBoxes();
  }

  // Each digit's box and its reading, on the overlay: the canvas's CSS size at the screen's
  // resolution; a box's PNG px go to canvas px (view), then to CSS px (the canvas's scale).
  function drawBoxes() {
    const ratio = window.devicePixelRatio || 1;
    const width = overlay.clientWidth, height = overlay.clientHeight;
    if (overlay.width !== Math.round(width * ratio)) overlay.width = Math.round(width * ratio);
    if (overlay.height !== Math.round(height * ratio)) overlay.height = Math.round(height * ratio);
    octx.setTransform(ratio, 0, 0, ratio, 0, 0);
    octx.clearRect(0, 0, width, height);
    if (!answer || !view || !pad.width) return;
    const k = pad.clientWidth / pad.width;  // CSS px per canvas px
    octx.font = "600 14px system-ui, sans-serif";
    octx.textBaseline = "middle";
    for (const d of answer.digits) {
      const [left, top, right, bottom] = d.box;
      const x = (view.x + left * view.scale) * k, y = (view.y + top * view.scale) * k;
      const w = (right - left) * view.scale * k, h = (bottom - top) * view.scale * k;
      const guess = d.is_digit === false;  // a box of its own colour, a "?" in its label
      octx.strokeStyle = guess ? FLAGGED : BOX;
      octx.lineWidth = guess ? 3 : 2;
      octx.strokeRect(x, y, w, h);
      const label = `${guess ? "? " : ""}${d.digit} ${Math.round(d.confidence * 100)}%`;
      const labelWidth = octx.measureText(label).width + 8, labelHeight = 18;
      const lx = Math.max(0, Math.min(x - 1, width - labelWidth));
      const ly = y >= labelHeight ? y - labelHeight : Math.min(y + h, height - labelHeight);
      octx.fillStyle = guess ? FLAGGED : BOX;
      octx.fillRect(lx, ly, labelWidth, labelHeight);
      octx.fillStyle = "#fff";
      octx.fillText(label, lx + 4, ly + labelHeight / 2);
    }
  }
  new ResizeObserver(drawBoxes).observe(pad);

  function setMode(name) {
    if (document.body.dataset.mode === name) return;
    document.body.dataset.mode = name;  // draw.html's CSS: the layout and the canvas's shape
    for (const [key, button] of Object.entries(buttons)) {
      button.setAttribute("aria-pressed", String(key === name));
    }
    const texts = TEXTS[name];
    element("title").textContent = texts.title;
    element("intro").textContent = texts.intro;
    element("draw-title").textContent = texts.heading;
    element("digit").setAttribute("aria-label", texts.answer);
    pad.setAttribute("aria-label", texts.pad);
    if (name === "number") {  // the canvas's CSS size, at the screen's resolution
      const ratio = Math.min(window.devicePixelRatio || 1, MAX_RATIO);
      pad.width = Math.round((pad.clientWidth || WIDTH) * ratio);
      pad.height = Math.round((pad.clientHeight || HEIGHT) * ratio);
    } else {
      pad.width = pad.height = 280;
    }
    window.drawPad.setMode(name === "number" ? numberMode : digitMode);
    const hash = name === "number" ? "#number" : "";
    history.replaceState(null, "", location.pathname + location.search + hash);
  }

  buttons.digit.addEventListener("click", () => setMode("digit"));
  buttons.number.addEventListener("click", () => setMode("number"));
  if (location.hash === "#number") setMode("number");  // /draw#number opens in number mode
})();
