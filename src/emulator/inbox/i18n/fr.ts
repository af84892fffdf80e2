/**
 * French words of the inbox viewer (Outlook on the web's), in French typography: U+202F (narrow no-break space,
 * written \u202f) before colons, semicolons, question and exclamation marks, and inside guillemets.
 */
import { html, type SafeHtml } from '../../html.ts'
import type { InboxStrings } from './en.ts'

export const fr: InboxStrings = {
  lang: 'fr',
  appName: 'Courrier',
  product: 'émulateur hors ligne Graph Connect',
  titleSuffix: 'émulateur Graph Connect',
  skip: 'Aller aux messages',
  searchLabel: 'Rechercher dans tout le courrier',
  searchPlaceholder: 'Mots, from:, to:, subject:, is:unread',
  search: 'Rechercher',
  refresh: 'Actualiser',
  about: 'Qu’est-ce que c’est\u202f?',
  aboutIntro: (tenant: string): SafeHtml =>
    html`Voici la messagerie de l’<strong>émulateur Graph Connect</strong>, un remplaçant hors ligne de Microsoft Entra ID
et de l’API de courrier Microsoft Graph. Le courrier que les applications envoient par <code>POST /v1.0/me/sendMail</code>
arrive ici\u202f: dans la boîte de réception des destinataires qui sont des utilisateurs du locataire de démonstration
<code>${tenant}</code>, sinon dans <em>Destinataires externes</em>, et dans les éléments envoyés de l’expéditeur. Rien ne
quitte cette machine. Le nouveau courrier apparaît dès son arrivée.`,
  aboutLinks: (): SafeHtml =>
    html`Connectez-vous à l’application Connect avec l’un des comptes de démonstration ci-dessous (la page de connexion les
affiche aussi). Liens\u202f: <a href="/common/v2.0/.well-known/openid-configuration">configuration OpenID</a> ·
<a href="/_emulator/mailboxes" hreflang="en">boîtes aux lettres en JSON</a> (API de contrôle, en boucle locale
uniquement\u202f; voir <code>docs/EMULATOR-CONTROL.md</code>).`,
  accountsCaption: 'Comptes de démonstration',
  account: 'Compte',
  password: 'Mot de passe',
  paneLabel: 'Boîtes aux lettres et dossiers',
  mailboxes: 'Boîtes aux lettres',
  allMail: 'Tout le courrier',
  allMailDetail: 'chaque boîte, récents d’abord',
  external: 'Destinataires externes',
  externalDetail: 'courrier sortant du locataire',
  externalOutbox: 'Boîte d’envoi (vers l’extérieur)',
  folders: {
    inbox: 'Boîte de réception',
    drafts: 'Brouillons',
    sentitems: 'Éléments envoyés',
    deleteditems: 'Éléments supprimés',
    outbox: 'Boîte d’envoi',
    junkemail: 'Courrier indésirable',
    archive: 'Archive',
  },
  unreadWord: (count: number) => (count > 1 ? 'non lus' : 'non lu'),
  messagesLabel: 'Messages',
  noMessages:
    'Aucun message pour l’instant. Envoyez-en un depuis l’application Connect\u202f: il apparaît ici dès son arrivée.',
  searchHeading: (query: string) => `Recherche\u202f: ${query}`,
  noResults: (query: string) => `Aucun message ne correspond à «\u202f${query}\u202f».`,
  searchHelp:
    'Chaque mot doit se trouver dans l’expéditeur, un destinataire, l’objet ou le corps. Précisez avec from:, to:, subject:, body:, is:unread ou is:read\u202f; mettez une expression entre guillemets droits.',
  older: 'Messages plus anciens',
  newer: 'Messages plus récents',
  noSubject: '(sans objet)',
  toPrefix: 'À\u202f:',
  highImportance: 'Importance haute',
  hasAttachments: 'Contient des pièces jointes',
  unread: 'Non lu',
  readingPane: 'Volet de lecture',
  backTo: (where: string) => `Retour à «\u202f${where}\u202f»`,
  labels: {
    from: 'De',
    to: 'À',
    cc: 'Cc',
    bcc: 'Cci',
    date: 'Date',
    importance: 'Importance',
    mailbox: 'Boîte aux lettres',
  },
  importance: { high: 'Haute', low: 'Faible', normal: 'Normale' },
  viewsLabel: 'Vues de ce message',
  views: { message: 'Message', headers: 'En-têtes', source: 'Source' },
  actionsLabel: 'Actions sur le message',
  markRead: 'Marquer comme lu',
  markUnread: 'Marquer comme non lu',
  delete: 'Supprimer',
  downloadEml: 'Télécharger le .eml',
  bodyTitle: 'Corps du message',
  messageId: 'Message-ID',
  headersCaption: 'Champs d’en-tête, tels que dans la source MIME (décodés)',
  headerName: 'Champ',
  headerValue: 'Valeur',
  sourceLabel: 'Source MIME',
  sourceCut: (shown: string, total: string) =>
    `Les ${shown} premiers sur ${total} sont affichés\u202f; téléchargez le .eml pour le message entier.`,
  emptyMailbox: 'Vider cette boîte aux lettres…',
  emptyMailboxConfirm: (name: string) =>
    `Supprimer tous les messages de ${name}, dans tous les dossiers\u202f?`,
  emptyMailboxButton: 'Supprimer son courrier',
  emptyAll: 'Vider toutes les boîtes aux lettres…',
  emptyAllConfirm:
    'Supprimer tous les messages de toutes les boîtes aux lettres\u202f? Les utilisateurs et les applications restent.',
  emptyAllButton: 'Supprimer tout le courrier',
  newMail: 'Nouveau message\u202f:',
  notFound: 'Introuvable',
  notFoundText: 'Ce message ou cette boîte aux lettres n’existe pas (ou plus).',
  backHome: 'Retour à tout le courrier',
  refusedTitle: 'Refusé',
  sizeUnits: ['o', 'Ko', 'Mo'],
}
