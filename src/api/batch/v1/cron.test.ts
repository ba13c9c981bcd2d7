import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { checkTimeZone, CronSyntaxError, parseSchedule } from "./cron.js";

const at = (iso: string): Date => new Date(iso);

describe("parseSchedule().next()", () => {
  const cases: { schedule: string; after: string; zone?: string; want: string | null }[] = [
    { schedule: "*/15 * * * *", after: "2024-01-01T00:07:30Z", want: "2024-01-01T00:15:00.000Z" },
    { schedule: "0 * * * *", after: "2024-01-01T10:00:00Z", want: "2024-01-01T11:00:00.000Z" },
    { schedule: "@hourly", after: "2024-01-01T10:59:59.999Z", want: "2024-01-01T11:00:00.000Z" },
    { schedule: "0 0 1 1 *", after: "2024-06-01T00:00:00Z", want: "2025-01-01T00:00:00.000Z" },
    { schedule: "@yearly", after: "2024-06-01T00:00:00Z", want: "2025-01-01T00:00:00.000Z" },
    { schedule: "@weekly", after: "2024-03-06T00:00:00Z", want: "2024-03-10T00:00:00.000Z" },
    { schedule: "@monthly", after: "2024-01-31T12:00:00Z", want: "2024-02-01T00:00:00.000Z" },
    { schedule: "5/20 * * * *", after: "2024-01-01T00:26:00Z", want: "2024-01-01T00:45:00.000Z" },
    {
      schedule: "1,2,40-42 * * * *",
      after: "2024-01-01T00:02:00Z",
      want: "2024-01-01T00:40:00.000Z",
    },
    // 2024-03-01 is a Friday: the next weekday 09:00 is Monday the 4th.
    {
      schedule: "0 9 * * MON-FRI",
      after: "2024-03-01T10:00:00Z",
      want: "2024-03-04T09:00:00.000Z",
    },
    {
      schedule: "0 0 * jan,JUL sun",
      after: "2024-01-08T00:00:00Z",
      want: "2024-01-14T00:00:00.000Z",
    },
    // Both day fields restricted: the 13th or a Friday, whichever comes first.
    { schedule: "0 0 13 * 5", after: "2024-09-01T00:00:00Z", want: "2024-09-06T00:00:00.000Z" },
    { schedule: "0 0 13 * 5", after: "2024-09-06T00:00:00Z", want: "2024-09-13T00:00:00.000Z" },
    // One day field is `*`: both must match, so only Fridays count.
    { schedule: "0 0 * * 5", after: "2024-09-01T00:00:00Z", want: "2024-09-06T00:00:00.000Z" },
    { schedule: "0 0 29 2 *", after: "2024-03-01T00:00:00Z", want: "2028-02-29T00:00:00.000Z" },
    { schedule: "0 0 30 2 *", after: "2024-01-01T00:00:00Z", want: null },
    {
      schedule: "0 9 * * *",
      after: "2024-07-01T00:00:00Z",
      zone: "Europe/Paris",
      want: "2024-07-01T07:00:00.000Z",
    },
    {
      schedule: "0 9 * * *",
      after: "2024-01-01T00:00:00Z",
      zone: "Europe/Paris",
      want: "2024-01-01T08:00:00.000Z",
    },
    // The prefix wins over the zone the caller passes.
    {
      schedule: "CRON_TZ=Asia/Tokyo 0 9 * * *",
      after: "2023-12-31T23:00:00Z",
      zone: "Europe/Paris",
      want: "2024-01-01T00:00:00.000Z",
    },
    {
      schedule: "TZ=UTC 30 6 * * *",
      after: "2024-01-01T06:30:00Z",
      zone: "Asia/Tokyo",
      want: "2024-01-02T06:30:00.000Z",
    },
    // New York springs forward at 02:00 on 2024-03-10: 02:30 does not exist that day.
    {
      schedule: "30 2 * * *",
      after: "2024-03-09T12:00:00Z",
      zone: "America/New_York",
      want: "2024-03-11T06:30:00.000Z",
    },
    // It falls back at 02:00 on 2024-11-03: 01:30 happens twice (EDT, then EST) and runs both
    // times.
    {
      schedule: "30 1 * * *",
      after: "2024-11-02T12:00:00Z",
      zone: "America/New_York",
      want: "2024-11-03T05:30:00.000Z",
    },
    {
      schedule: "30 1 * * *",
      after: "2024-11-03T05:30:00Z",
      zone: "America/New_York",
      want: "2024-11-03T06:30:00.000Z",
    },
    {
      schedule: "30 1 * * *",
      after: "2024-11-03T06:30:00Z",
      zone: "America/New_York",
      want: "2024-11-04T06:30:00.000Z",
    },
    // Every minute, through the repeated hour, keeps moving forward in real time.
    {
      schedule: "* * * * *",
      after: "2024-11-03T05:59:00Z",
      zone: "America/New_York",
      want: "2024-11-03T06:00:00.000Z",
    },
    { schedule: "@every 90s", after: "2024-01-01T10:00:00.500Z", want: "2024-01-01T10:01:30.000Z" },
    { schedule: "@every 1h30m", after: "2024-01-01T10:00:00Z", want: "2024-01-01T11:30:00.000Z" },
    { schedule: "@every 10ms", after: "2024-01-01T10:00:00Z", want: "2024-01-01T10:00:01.000Z" },
  ];
  for (const c of cases) {
    it(`${c.schedule} after ${c.after}${c.zone ? ` in ${c.zone}` : ""} is ${c.want}`, () => {
      const next = parseSchedule(c.schedule).next(at(c.after), c.zone ?? "UTC");
      assert.equal(next === null ? null : next.toISOString(), c.want);
    });
  }

  it("records the zone named in the schedule", () => {
    assert.equal(parseSchedule("CRON_TZ=Asia/Tokyo 0 9 * * *").timeZone, "Asia/Tokyo");
    assert.equal(parseSchedule("0 9 * * *").timeZone, undefined);
  });

  it("refuses an invalid date", () => {
    assert.throws(() => parseSchedule("* * * * *").next(new Date(Number.NaN), "UTC"), RangeError);
  });
});

describe("parseSchedule() errors", () => {
  const cases: [string, RegExp][] = [
    ["", /empty schedule/],
    ["* * * *", /expected exactly 5 fields, found 4/],
    ["* * * * * *", /expected exactly 5 fields, found 6/],
    ["60 * * * *", /60 is above the maximum 59 in minute/],
    ["* 24 * * *", /above the maximum 23 in hour/],
    ["* * 0 * *", /0 is below the minimum 1 in day of month/],
    ["* * * 13 *", /above the maximum 12 in month/],
    ["* * * * 7", /above the maximum 6 in day of week/],
    ["5-1 * * * *", /range starts after it ends/],
    ["*/0 * * * *", /step must be a positive number/],
    ["1-2-3 * * * *", /too many hyphens/],
    ["1/2/3 * * * *", /too many slashes/],
    ["a * * * *", /"a" is not a number in minute/],
    ["* * * FOO *", /"FOO" is not a number in month/],
    ["-1 * * * *", /is not a number/],
    ["@fortnightly", /unknown descriptor: @fortnightly/],
    ["@every 5", /invalid duration/],
    ["TZ=Mars/Olympus 0 * * * *", /bad time zone Mars\/Olympus/],
    ["CRON_TZ=UTC", /missing schedule after time zone/],
  ];
  for (const [schedule, message] of cases) {
    it(`refuses ${JSON.stringify(schedule)}`, () => {
      assert.throws(
        () => parseSchedule(schedule),
        (err: unknown) => {
          assert.ok(err instanceof CronSyntaxError);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  it("accepts ? as a wildcard and names in any case", () => {
    assert.doesNotThrow(() => parseSchedule("0 0 ? * Mon"));
    assert.doesNotThrow(() => parseSchedule("0 0 1 Dec ?"));
  });
});

describe("checkTimeZone()", () => {
  const cases: [string, boolean][] = [
    ["UTC", true],
    ["Europe/Berlin", true],
    ["America/Argentina/Buenos_Aires", true],
    ["Etc/GMT+5", true],
    ["Foo/Bar", false],
    ["europe/berlin", false],
    ["Local", false],
    ["", false],
  ];
  for (const [zone, ok] of cases) {
    it(`${ok ? "accepts" : "refuses"} ${JSON.stringify(zone)}`, () => {
      assert.equal(checkTimeZone(zone) === undefined, ok);
    });
  }
});
