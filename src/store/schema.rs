//! Diesel table definitions, shared by both backends (only types both support).

diesel::table! {
    organisations (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        settings -> Text,
        chain_seq -> BigInt,
        chain_head -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    audit_entries (organisation_id, seq) {
        organisation_id -> BigInt,
        seq -> BigInt,
        org -> Text,
        at -> Text,
        actor -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        payload -> Text,
        payload_sha256 -> Text,
        prev -> Text,
        entry_sha256 -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        role -> Text,
        disabled -> Integer,
        created_at -> Text,
        password_hash -> Nullable<Text>,
    }
}

diesel::table! {
    user_orgs (user_id, organisation_id) {
        user_id -> BigInt,
        organisation_id -> BigInt,
        person_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    api_tokens (token_sha256) {
        token_sha256 -> Text,
        user_id -> BigInt,
        created_at -> Text,
        revoked -> Integer,
    }
}

diesel::table! {
    people (organisation_id, id) {
        organisation_id -> BigInt,
        id -> BigInt,
        slug -> Text,
        version -> BigInt,
        name -> Text,
        position -> Text,
        decision_making -> Integer,
        audit_seq -> BigInt,
        standing -> Text,
        standing_reason -> Nullable<Text>,
        merged_into -> Nullable<BigInt>,
        added_on -> Nullable<Text>,
    }
}

diesel::table! {
    declarations (organisation_id, id, version) {
        organisation_id -> BigInt,
        id -> BigInt,
        version -> BigInt,
        is_current -> Integer,
        person_id -> BigInt,
        position -> Nullable<Text>,
        interest_type -> Text,
        associate -> Nullable<Text>,
        description -> Text,
        body -> Text,
        arose_on -> Text,
        ended_on -> Nullable<Text>,
        declared_on -> Text,
        mitigation -> Text,
        state -> Text,
        withheld_reason -> Nullable<Text>,
        recorded_at -> Text,
        recorded_by -> Text,
        audit_seq -> BigInt,
        review -> Text,
        review_comment -> Nullable<Text>,
        is_published -> Integer,
    }
}

diesel::table! {
    gifts (organisation_id, id, version) {
        organisation_id -> BigInt,
        id -> BigInt,
        version -> BigInt,
        is_current -> Integer,
        person_id -> BigInt,
        giver -> Text,
        giver_is_supplier -> Integer,
        kind -> Text,
        description -> Text,
        value_pence -> BigInt,
        offered_on -> Text,
        outcome -> Text,
        approved_by -> Nullable<Text>,
        declared_on -> Text,
        state -> Text,
        withheld_reason -> Nullable<Text>,
        recorded_at -> Text,
        recorded_by -> Text,
        audit_seq -> BigInt,
        review -> Text,
        review_comment -> Nullable<Text>,
        is_published -> Integer,
    }
}

diesel::table! {
    returns (organisation_id, id) {
        organisation_id -> BigInt,
        id -> BigInt,
        person_id -> BigInt,
        kind -> Text,
        made_on -> Text,
        recorded_at -> Text,
        recorded_by -> Text,
        audit_seq -> BigInt,
        review -> Text,
        review_comment -> Nullable<Text>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    audit_entries,
    users,
    user_orgs,
    api_tokens,
    people,
    declarations,
    gifts,
    returns
);

diesel::joinable!(api_tokens -> users (user_id));

diesel::table! {
    merkle_nodes (organisation_id, level, idx) {
        organisation_id -> BigInt,
        level -> Integer,
        idx -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    checkpoints (organisation_id, size) {
        organisation_id -> BigInt,
        size -> BigInt,
        root -> Text,
        note -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    records (organisation_id, kind, id, version) {
        organisation_id -> BigInt,
        kind -> Text,
        id -> BigInt,
        version -> BigInt,
        is_current -> Integer,
        parent_id -> Nullable<BigInt>,
        record_key -> Nullable<Text>,
        body -> Text,
        recorded_at -> Text,
        recorded_by -> Text,
        audit_seq -> BigInt,
    }
}

diesel::table! {
    sessions (id_sha256) {
        id_sha256 -> Text,
        user_id -> BigInt,
        created_at -> Text,
        expires_at -> Text,
        revoked -> Integer,
        csrf_token -> Text,
    }
}

diesel::table! {
    sign_in_attempts (id) {
        id -> BigInt,
        email_sha256 -> Text,
        at -> Text,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(sessions, users);

diesel::table! {
    editions (organisation_id, as_at) {
        organisation_id -> BigInt,
        as_at -> Text,
        kind -> Text,
        tree_size -> BigInt,
        root -> Text,
        audit_seq -> BigInt,
        created_at -> Text,
    }
}

diesel::table! {
    edition_files (organisation_id, as_at, path) {
        organisation_id -> BigInt,
        as_at -> Text,
        path -> Text,
        content -> Text,
    }
}
