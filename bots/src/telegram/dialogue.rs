//! teloxide's dialogue [`Storage`] on ordo's store: a chat's dialogue state (what a
//! guided flow — registration, checkout — is waiting for) is serialized with serde to
//! JSON and kept in the chat's record by the engine (`Engine::set_telegram_dialogue`, as
//! the system), so a restart in the middle of a flow resumes where it was.
//!
//! (teloxide's own storages are in memory, SQLite, Postgres or Redis, and its Bincode
//! serializer is bincode 1.3; neither fits.)

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use ordo_core::auth::Actor;
use ordo_core::store::Store;
use serde::Serialize;
use serde::de::DeserializeOwned;
use teloxide::dispatching::dialogue::Storage;
use teloxide::types::ChatId;

use crate::pool::EnginePool;

/// Why a dialogue state could not be read or kept.
#[derive(Debug, thiserror::Error)]
pub enum DialogueError {
    /// The engine refused or the store failed.
    #[error("the dialogue could not be kept: {0}")]
    Engine(#[from] ordo_core::Error),
    /// The service is shutting down (or the call failed).
    #[error("the dialogue could not be kept: {0}")]
    Pool(#[from] crate::pool::PoolError),
    /// The state does not (de)serialize: a state stored by an older bot whose shape
    /// changed reads as an error, never as someone else's flow.
    #[error("the dialogue state does not read: {0}")]
    Json(#[from] serde_json::Error),
}

/// Dialogue states of type `D` kept by the engine.
pub struct EngineDialogues<S: Store, D> {
    pool: EnginePool<S>,
    state: PhantomData<fn() -> D>,
}

impl<S: Store + Send + Sync + 'static, D> EngineDialogues<S, D> {
    /// Dialogues kept through `pool`.
    pub fn new(pool: EnginePool<S>) -> Arc<EngineDialogues<S, D>> {
        Arc::new(EngineDialogues {
            pool,
            state: PhantomData,
        })
    }

    /// Keeps `text` (`None`: no flow) as chat `chat`'s state.
    async fn put(&self, chat: ChatId, text: Option<String>) -> Result<(), DialogueError> {
        self.pool
            .run(move |engine| {
                engine.set_telegram_dialogue(&Actor::system(), chat.0, text.as_deref())
            })
            .await??;
        Ok(())
    }
}

/// A boxed future, as teloxide's `Storage` returns them.
type Boxed<T> = Pin<Box<dyn Future<Output = Result<T, DialogueError>> + Send + 'static>>;

impl<S, D> Storage<D> for EngineDialogues<S, D>
where
    S: Store + Send + Sync + 'static,
    D: Serialize + DeserializeOwned + Send + 'static,
{
    type Error = DialogueError;

    fn remove_dialogue(self: Arc<Self>, chat_id: ChatId) -> Boxed<()>
    where
        D: Send + 'static,
    {
        Box::pin(async move { self.put(chat_id, None).await })
    }

    fn update_dialogue(self: Arc<Self>, chat_id: ChatId, dialogue: D) -> Boxed<()>
    where
        D: Send + 'static,
    {
        Box::pin(async move {
            let text = serde_json::to_string(&dialogue)?;
            self.put(chat_id, Some(text)).await
        })
    }

    fn get_dialogue(self: Arc<Self>, chat_id: ChatId) -> Boxed<Option<D>> {
        Box::pin(async move {
            let text = self
                .pool
                .run(move |engine| engine.telegram_dialogue(&Actor::system(), chat_id.0))
                .await??;
            match text {
                Some(text) => Ok(Some(serde_json::from_str(&text)?)),
                None => Ok(None),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ordo_core::store::MemoryStore;
    use ordo_core::testkit::sample;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    enum Flow {
        AskPhone { name: String },
        AskEmail { name: String, phone: String },
    }

    fn dialogues(store: &Arc<MemoryStore>) -> Arc<EngineDialogues<Arc<MemoryStore>, Flow>> {
        let (engine, _) = sample::engine(Arc::clone(store), 5);
        EngineDialogues::new(EnginePool::new(engine, 2))
    }

    #[tokio::test]
    async fn a_dialogue_survives_a_new_bot_on_the_same_store() {
        let store = Arc::new(MemoryStore::new());
        let first = dialogues(&store);
        let chat = ChatId(-77);
        assert_eq!(Arc::clone(&first).get_dialogue(chat).await.unwrap(), None);
        let asked = Flow::AskPhone { name: "Ada".into() };
        Arc::clone(&first)
            .update_dialogue(chat, asked.clone())
            .await
            .unwrap();
        // A restart: a new engine and pool over the same store.
        let second = dialogues(&store);
        assert_eq!(
            Arc::clone(&second).get_dialogue(chat).await.unwrap(),
            Some(asked)
        );
        let next = Flow::AskEmail {
            name: "Ada".into(),
            phone: "+15550001111".into(),
        };
        Arc::clone(&second)
            .update_dialogue(chat, next.clone())
            .await
            .unwrap();
        assert_eq!(
            Arc::clone(&first).get_dialogue(chat).await.unwrap(),
            Some(next)
        );
        assert_eq!(
            Arc::clone(&first).get_dialogue(ChatId(5)).await.unwrap(),
            None
        );
        Arc::clone(&second).remove_dialogue(chat).await.unwrap();
        assert_eq!(Arc::clone(&first).get_dialogue(chat).await.unwrap(), None);
    }
}
