//! Staff users: bootstrap the first admin, add, list, disable and re-role users.

use crate::audit::{AuditAction, AuditRecord, FieldChange, Subject};
use crate::auth::{Actor, Operation, Role};
use crate::credentials::{Credentials, LoginId, Password, PasswordHash};
use crate::error::{EntityKind, Error, Refusal, Result};
use crate::ids::UserId;
use crate::staff::StaffUser;
use crate::store::{IndexName, Record, RecordKind, Store, keys};

use super::{Engine, Page, Unit};

impl<S: Store> Engine<S> {
    /// Creates the first administrator on a database that has none.
    ///
    /// # Errors
    /// `Refused` (`AdminAlreadyExists`) if an administrator was already created; as [`Engine::add_user`].
    pub fn init_admin(
        &self,
        actor: &Actor,
        name: &str,
        login: &str,
        password: &str,
    ) -> Result<StaffUser> {
        self.create_user(actor, name, login, Role::Admin, password, true)
    }

    /// Adds a staff user.
    ///
    /// # Errors
    /// `Validation` (name, login, password policy, role); `Duplicate` login; `Forbidden`.
    pub fn add_user(
        &self,
        actor: &Actor,
        name: &str,
        login: &str,
        role: Role,
        password: &str,
    ) -> Result<StaffUser> {
        self.create_user(actor, name, login, role, password, false)
    }

    fn create_user(
        &self,
        actor: &Actor,
        name: &str,
        login: &str,
        role: Role,
        password: &str,
        bootstrap: bool,
    ) -> Result<StaffUser> {
        actor.require(Operation::ManageUsers)?;
        let login = LoginId::parse(login)?;
        let password = Password::new(&login, password)?;
        let hash =
            PasswordHash::create(&password, self.config.password_params, self.random.as_ref())?;
        self.transact(|unit| {
            let mut settings = self.settings(unit)?;
            if bootstrap {
                if settings.admin_initialized {
                    return Err(Refusal::AdminAlreadyExists.into());
                }
                settings.admin_initialized = true;
                unit.put(Record::Settings(settings.clone()));
            }
            self.check_login_free(unit, &login, None)?;
            let now = self.clock.now();
            let credentials = Credentials {
                login: login.clone(),
                hash: hash.clone(),
                sessions_valid_after: now,
            };
            let user = StaffUser::create(
                UserId(unit.store().next_id()?),
                name,
                role,
                credentials,
                now,
            )?;
            unit.reindex(&[], &keys::user_entries(&user));
            unit.audit(AuditRecord {
                at: now,
                actor: actor.record(),
                action: AuditAction::UserCreated,
                subjects: vec![Subject::User(user.id())],
                changes: vec![
                    FieldChange::new("login id", None, Some(login.to_string())),
                    FieldChange::new("role", None, Some(role.to_string())),
                ],
            });
            unit.put(Record::User(user.clone()));
            Ok(user)
        })
    }

    /// Staff users in id order (all of them); a user that cannot be read is skipped and
    /// reported in [`Page::skipped`].
    ///
    /// # Errors
    /// `Forbidden`; `Storage`.
    pub fn list_users(&self, actor: &Actor) -> Result<Page<StaffUser>> {
        actor.require(Operation::ReadUsers)?;
        self.list_records(RecordKind::User, None, usize::MAX, |record| match record {
            Record::User(u) => Some(u),
            _ => None,
        })
    }

    fn user_by_login(&self, unit: &mut Unit<'_, S>, login: &str) -> Result<StaffUser> {
        let login = LoginId::parse(login)?;
        let id = unit
            .index_id(IndexName::UserByLogin, &keys::login(&login))?
            .ok_or_else(|| Error::not_found(EntityKind::User, &login))?;
        unit.user(UserId(id))
    }

    /// Disables a staff user; their sessions end at once.
    ///
    /// # Errors
    /// `NotFound`; `Refused` (`LastActiveAdmin`) for the last active administrator;
    /// `Forbidden`.
    pub fn disable_user(&self, actor: &Actor, login: &str) -> Result<StaffUser> {
        actor.require(Operation::ManageUsers)?;
        self.transact(|unit| {
            let mut user = self.user_by_login(unit, login)?;
            if user.role() == Role::Admin {
                self.ensure_another_admin(unit, user.id())?;
            }
            user.disable(self.clock.now());
            self.user_audit(
                unit,
                actor,
                &user,
                AuditAction::UserDisabled,
                FieldChange::new("active", Some("yes".into()), Some("no".into())),
            );
            unit.put(Record::User(user.clone()));
            Ok(user)
        })
    }

    /// Gives a staff user another role (effective for their next request).
    ///
    /// # Errors
    /// `Validation` for a non-staff role; `NotFound`; `Refused` (`LastActiveAdmin`) for the last administrator.
    pub fn set_user_role(&self, actor: &Actor, login: &str, role: Role) -> Result<StaffUser> {
        actor.require(Operation::ManageUsers)?;
        self.transact(|unit| {
            let mut user = self.user_by_login(unit, login)?;
            let before = user.role();
            if before == Role::Admin && role != Role::Admin {
                self.ensure_another_admin(unit, user.id())?;
            }
            user.set_role(role)?;
            self.user_audit(
                unit,
                actor,
                &user,
                AuditAction::UserRoleChanged,
                FieldChange::new("role", Some(before.to_string()), Some(role.to_string())),
            );
            unit.put(Record::User(user.clone()));
            Ok(user)
        })
    }

    /// Refuses unless an active administrator other than `except` exists. The ones found
    /// are loaded into the unit, so a concurrent change that disables or demotes them
    /// makes this change retry (two administrators disabling each other at once must not
    /// leave none).
    fn ensure_another_admin(&self, unit: &mut Unit<'_, S>, except: UserId) -> Result<()> {
        let candidates: Vec<UserId> = self
            .list_users(&Actor::system())?
            .items
            .into_iter()
            .filter(|u| u.id() != except && u.role() == Role::Admin && u.is_active())
            .map(|u| u.id())
            .collect();
        for id in candidates {
            let user = unit.user(id)?;
            if user.role() == Role::Admin && user.is_active() {
                return Ok(());
            }
        }
        Err(Refusal::LastActiveAdmin.into())
    }

    fn user_audit(
        &self,
        unit: &mut Unit<'_, S>,
        actor: &Actor,
        user: &StaffUser,
        action: AuditAction,
        change: FieldChange,
    ) {
        unit.audit(AuditRecord {
            at: self.clock.now(),
            actor: actor.record(),
            action,
            subjects: vec![Subject::User(user.id())],
            changes: vec![change],
        });
    }
}
