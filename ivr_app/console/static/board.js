// The supervisors' board: polls /console/board/live.
"use strict";
(() => {
  const {t, fill, clock, poll} = Console;
  poll("/console/board/live", (data) => {
    fill("queues", Lists.queues(data.queues));
    const names = Object.fromEntries(data.queues.map((q) => [q.name, q.label]));
    fill("agents", Lists.table([t("agents"), t("status"), t("since"), t("queues")],
      data.agents.map((a) => [a.name, t(a.status), clock(a.since),
        a.queues.map((q) => names[q] || q).join(", ")]), t("none_m")));
    fill("callbacks", Lists.callbacks(data.due));
    fill("missed", Lists.callbacks(data.missed));
    fill("messages", Lists.messages(data.messages));
    if (window.DemoLegs) window.DemoLegs.refresh();
  });
})();
