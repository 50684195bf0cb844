// NetCds demo: the cards an EHR would show for a demo patient, from a real CDS Hooks patient-view call made here,
// the way an EHR makes it: a CDS client JWT (the demo client's, handed out to browsers on the service's machine only),
// the patient's data as prefetch, then the cards drawn from the answer. Served by the service: no CDN, no inline script.
"use strict";

(function () {
  const root = document.getElementById("cards");
  const status = document.getElementById("cards-status");
  if (!root || !status) {
    return;
  }

  const seed = root.dataset.seed;
  const patientId = root.dataset.patient;

  function say(text, failed) {
    status.textContent = text;
    status.className = failed ? "notice failed" : "muted";
  }

  // FHIR JSON has no empty arrays: an empty searchset has no entry element at all.
  function searchset(resources, type) {
    const entries = resources.filter((r) => r.resourceType === type).map((r) => ({ resource: r }));
    const bundle = { resourceType: "Bundle", type: "searchset", total: entries.length };
    if (entries.length > 0) {
      bundle.entry = entries;
    }
    return bundle;
  }

  // The prefetch keys the service's discovery document lists, filled from the seed's Bundle as an EHR would.
  function prefetchFrom(bundle) {
    const resources = (bundle.entry || []).map((e) => e.resource);
    return {
      patient: resources.find((r) => r.resourceType === "Patient"),
      conditions: searchset(resources, "Condition"),
      observations: searchset(resources, "Observation"),
      procedures: searchset(resources, "Procedure"),
      medicationStatements: searchset(resources, "MedicationStatement"),
      medicationRequests: searchset(resources, "MedicationRequest"),
    };
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  // The card detail is GitHub-flavoured markdown; only **bold** is drawn, everything else stays text (never HTML).
  function detail(text) {
    const pre = element("pre", "detail");
    text.split(/(\*\*[^*]+\*\*)/).forEach((part) => {
      if (part.startsWith("**") && part.endsWith("**") && part.length > 4) {
        pre.appendChild(element("strong", null, part.slice(2, -2)));
      } else if (part.length > 0) {
        pre.appendChild(document.createTextNode(part));
      }
    });
    return pre;
  }

  function safeUrl(url) {
    try {
      const parsed = new URL(url, window.location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch {
      return null;
    }
  }

  function card(c) {
    const section = element("section", "card card-" + c.indicator);
    section.dataset.indicator = c.indicator;
    section.appendChild(element("h2", "summary", c.summary));
    section.appendChild(element("p", "muted", c.indicator + " · " + c.source.label));
    if (c.detail) {
      section.appendChild(detail(c.detail));
    }
    if (c.suggestions && c.suggestions.length > 0) {
      const list = element("ul", "suggestions");
      c.suggestions.forEach((s) => {
        const item = element("li");
        const button = element("button", null, s.label);
        button.type = "button";
        button.disabled = true;
        button.title = "In an EHR this drafts the order; the demo does not order.";
        item.appendChild(button);
        list.appendChild(item);
      });
      section.appendChild(list);
    }
    (c.links || []).forEach((l) => {
      const href = safeUrl(l.url);
      if (href) {
        const a = element("a", "link", l.label);
        a.href = href;
        a.dataset.type = l.type;
        section.appendChild(a);
        section.appendChild(document.createTextNode(" "));
      }
    });
    return section;
  }

  async function show() {
    say("Calling the patient-view service as an EHR would…", false);
    const tokenResponse = await fetch("/demo/cds-client/token", { method: "POST", credentials: "same-origin" });
    if (!tokenResponse.ok) {
      say("No demo token: " + (await tokenResponse.text()), true);
      return;
    }
    const token = await tokenResponse.json();
    const bundleResponse = await fetch("/demo/seeds/" + encodeURIComponent(seed));
    if (!bundleResponse.ok) {
      say("The demo patient's data could not be read (" + bundleResponse.status + ").", true);
      return;
    }
    const call = {
      hook: "patient-view",
      hookInstance: crypto.randomUUID(),
      context: { userId: "Practitioner/netcds-demo", patientId: patientId },
      prefetch: prefetchFrom(await bundleResponse.json()),
    };
    const answer = await fetch(token.service, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + token.access_token },
      body: JSON.stringify(call),
    });
    if (!answer.ok) {
      say("The patient-view service answered " + answer.status + ".", true);
      return;
    }
    const cards = (await answer.json()).cards || [];
    cards.forEach((c) => root.appendChild(card(c)));
    root.dataset.loaded = String(cards.length);
    say(cards.length + " card" + (cards.length === 1 ? "" : "s") + " from POST " + token.service + " (patient-view).", false);
  }

  show().catch((e) => say("The call failed: " + e.message, true));
})();
