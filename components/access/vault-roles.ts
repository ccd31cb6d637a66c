// Which Vault SSH roles, policies and Boundary tokens the platform creates. Pure.
//
// Principals are bound to people: each developer has a role whose allowed_users and
// default_user are that developer alone, and a policy that can sign on that role only.
// Vault checks every requested principal against allowed_users
// (builtin/logical/ssh/path_issue_sign.go calculateValidPrincipals), so a developer can
// obtain no certificate for a teammate's principal. Each team's Boundary credential store
// gets its own token, whose policy signs on that team's roles only.

import { PlatformConfig, TeamConfig } from "../config/schema";
import {
    boundaryCredentialStorePolicy, boundaryPolicyName, developerPolicyName, developerRoleName, developerSignPolicy, poolInjectionRoleName,
} from "./vault-policies";

export interface SshRoleSpec {
    /** Vault role name (the path segment of `<mount>/sign/<name>`). */
    name: string;
    team: string;
    /** The developer it belongs to; undefined for a pool's Boundary injection role. */
    developer?: string;
    /** Comma-separated principals the role may sign (Vault `allowed_users`). */
    allowedUsers: string;
    /** Principal used when a request names none (Vault `default_user`). */
    defaultUser: string;
}

export interface PolicySpec { name: string; policy: string }

export interface BoundaryTokenSpec {
    team: string;
    policyName: string;
    policy: string;
    /** Roles this token may sign on. */
    roles: string[];
}

export function buildSshRoles(teams: readonly TeamConfig[], injection: boolean): SshRoleSpec[] {
    return teams.flatMap((team) => {
        const roster = team.developers.map((developer) => developer.name);
        const own = roster.map((developer) => ({
            name: developerRoleName(team.name, developer), team: team.name, developer, allowedUsers: developer, defaultUser: developer,
        }));
        // Boundary fills a pool session's username from the Boundary user; a team with no
        // developers gets no pool role (an empty allowed_users is "anyone" on older Vault).
        const pool = injection && team.allocation !== "dedicated" && roster.length > 0
            ? [{ name: poolInjectionRoleName(team.name), team: team.name, allowedUsers: roster.join(","), defaultUser: "" }]
            : [];
        return [...own, ...pool];
    });
}

/** One policy per developer, to attach to that developer's Vault identity. */
export function buildDeveloperPolicies(config: PlatformConfig): PolicySpec[] {
    return config.teams.flatMap((team) => team.developers.map((developer) => ({
        name: developerPolicyName(team.name, developer.name),
        policy: developerSignPolicy(config.vault.sshMount, developerRoleName(team.name, developer.name)),
    })));
}

/** One token per team's Boundary credential store, scoped to that team's roles. */
export function buildBoundaryTokens(config: PlatformConfig, roles: SshRoleSpec[]): BoundaryTokenSpec[] {
    return config.teams.filter((team) => team.developers.length > 0).map((team) => {
        const own = roles.filter((role) => role.team === team.name).map((role) => role.name);
        return { team: team.name, policyName: boundaryPolicyName(team.name), policy: boundaryCredentialStorePolicy(config.vault.sshMount, own), roles: own };
    });
}
