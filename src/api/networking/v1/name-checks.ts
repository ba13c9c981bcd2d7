/**
 * Format checks that networking.k8s.io kinds need beyond those in validation.ts: wildcard host names,
 * names that become URL path segments, and domain-prefixed paths such as an IngressClass's controller.
 * Each returns problems, empty when the value is fine.
 */
import type { FieldError } from "../../errors.js";
import { checkDNS1123Subdomain, invalid, required, type Path } from "../../validation.js";

const WILDCARD_DNS1123_SUBDOMAIN =
  /^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HTTP_PATH = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

/** Problems with `value` as a wildcard DNS name: `*.` followed by an RFC 1123 subdomain. */
export function checkWildcardDNS1123Subdomain(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 253) problems.push("must be no more than 253 characters");
  if (!WILDCARD_DNS1123_SUBDOMAIN.test(value)) {
    problems.push(
      "a wildcard DNS name must be '*.' followed by a lowercase RFC 1123 subdomain of lowercase letters, digits, '-' and '.', ending with a letter or digit (regex '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*', e.g. '*.example.com')",
    );
  }
  return problems;
}

/** Problems with `value` as a name that becomes one segment of a URL path. */
export function checkPathSegmentName(value: string): string[] {
  if (value === "." || value === "..") return [`may not be '${value}'`];
  const problems: string[] = [];
  for (const bad of ["/", "%"]) if (value.includes(bad)) problems.push(`may not contain '${bad}'`);
  return problems;
}

/**
 * Checks a domain-prefixed path such as `example.com/ingress-controller`: an RFC 1123 subdomain, a
 * slash, then characters allowed in an HTTP path. Upstream reports the part at fault as the value.
 */
export function validateDomainPrefixedPath(value: string, path: Path): FieldError[] {
  if (value === "") return [required(path)];
  const slash = value.indexOf("/");
  if (slash <= 0 || slash === value.length - 1) {
    return [invalid(path, value, `must be a domain-prefixed path (such as "acme.io/foo")`)];
  }

  const host = value.slice(0, slash);
  const rest = value.slice(slash + 1);
  const errors = checkDNS1123Subdomain(host).map((p) => invalid(path, host, p));
  if (!HTTP_PATH.test(rest)) {
    errors.push(
      invalid(
        path,
        rest,
        "Invalid path: must hold only the characters of an HTTP path: letters, digits and -._~%!$&'()*+,;=:/ (regex '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')",
      ),
    );
  }
  return errors;
}
