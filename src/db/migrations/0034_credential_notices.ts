import { type Kysely, sql } from "kysely";

/**
 * A change that can end or alter what a credential grants — a token revoked, a session ended, a
 * user disabled, a role or unit changed — announces itself on the channel `liaison_credentials`
 * when it commits. Each server process listens there and forgets the actors it had kept for its
 * tokens and sessions, whichever process or command made the change. (Touching a token's or a
 * session's last use is not such a change, and says nothing; nor does a user's language, e-mail
 * or notice setting. A new column that decides what a credential grants belongs in these lists.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('liaison_credentials', TG_TABLE_NAME);
      RETURN NULL;
    END $$;
    CREATE TRIGGER users_credentials
      AFTER UPDATE OF id, username, display_name, builtin, disabled, clearance, password_hash, password_changed_at, demo
        OR DELETE OR TRUNCATE ON users
      FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();
    CREATE TRIGGER user_roles_credentials AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_roles
      FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();
    CREATE TRIGGER units_credentials AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
      FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();
    CREATE TRIGGER api_tokens_credentials AFTER UPDATE OF revoked_at, expires_at, role, unit_id, user_id, token_hash OR DELETE OR TRUNCATE
      ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();
    CREATE TRIGGER sessions_credentials AFTER UPDATE OF expires_at, user_id, id_hash OR DELETE OR TRUNCATE
      ON sessions FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER sessions_credentials ON sessions;
    DROP TRIGGER api_tokens_credentials ON api_tokens;
    DROP TRIGGER units_credentials ON units;
    DROP TRIGGER user_roles_credentials ON user_roles;
    DROP TRIGGER users_credentials ON users;
    DROP FUNCTION credentials_changed();
  `.execute(db);
}
