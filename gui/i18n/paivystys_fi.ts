<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fi_FI">
<context>
    <name>CallLog</name>
    <message>
        <location filename="../calllog/model.py" line="32"/>
        <source>answered</source>
        <translation>vastattu</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="33"/>
        <source>answered by backup</source>
        <translation>varahenkilö vastasi</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="34"/>
        <source>missed</source>
        <translation>vastaamaton</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="35"/>
        <source>caller hung up</source>
        <translation>soittaja katkaisi</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="36"/>
        <source>unknown number</source>
        <translation>tuntematon numero</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="42"/>
        <source>no answer</source>
        <translation>ei vastannut</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="43"/>
        <source>busy</source>
        <translation>varattu</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="44"/>
        <source>declined</source>
        <translation>hylkäsi</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="45"/>
        <source>voicemail?</source>
        <translation>vastaaja?</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="46"/>
        <source>took the call</source>
        <translation>otti puhelun</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="47"/>
        <source>too late</source>
        <translation>liian myöhään</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="48"/>
        <source>could not ring</source>
        <translation>soitto ei onnistunut</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="54"/>
        <source>main</source>
        <translation>pää</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="56"/>
        <source>backup</source>
        <translation>vara</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="73"/>
        <source>yyyy-MM-dd HH:mm</source>
        <translation>d.M.yyyy H.mm</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="80"/>
        <source>HH:mm:ss</source>
        <translation>H.mm.ss</translation>
    </message>
</context>
<context>
    <name>CallLogModel</name>
    <message>
        <location filename="../calllog/model.py" line="113"/>
        <source>Arrived</source>
        <translation>Saapui</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="113"/>
        <source>Number</source>
        <translation>Numero</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="113"/>
        <source>Caller</source>
        <translation>Soittaja</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="113"/>
        <source>Wait s</source>
        <translation>Odotus s</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="114"/>
        <source>Talk s</source>
        <translation>Puhe s</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="114"/>
        <source>Outcome</source>
        <translation>Tulos</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="114"/>
        <source>Answered by</source>
        <translation>Vastaaja</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="162"/>
        <source>in progress</source>
        <translation>käynnissä</translation>
    </message>
</context>
<context>
    <name>CallLogView</name>
    <message>
        <location filename="../calllog/view.py" line="81"/>
        <source>Today</source>
        <translation>Tänään</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="81"/>
        <source>Last 7 days</source>
        <translation>Viimeiset 7 päivää</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="82"/>
        <source>Last 30 days</source>
        <translation>Viimeiset 30 päivää</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="82"/>
        <source>All</source>
        <translation>Kaikki</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="87"/>
        <source>All outcomes</source>
        <translation>Kaikki tulokset</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="92"/>
        <source>Caller number</source>
        <translation>Soittajan numero</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="102"/>
        <source>Export CSV…</source>
        <translation>Vie CSV…</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="130"/>
        <source>Whom the chosen call rang:</source>
        <translation>Kenelle valittu puhelu soi:</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="142"/>
        <source>More</source>
        <translation>Lisää</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="186"/>
        <location filename="../calllog/view.py" line="198"/>
        <source>Loading…</source>
        <translation>Ladataan…</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="239"/>
        <source>{shown} of {total} calls</source>
        <translation>{shown} / {total} puhelua</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="265"/>
        <source>Export calls</source>
        <translation>Vie puhelut</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="266"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-tiedostot (*.csv)</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="289"/>
        <source>Exporting…</source>
        <translation>Viedään…</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="296"/>
        <source>Cannot write {path}: {reason}</source>
        <translation>Tiedostoa {path} ei voi kirjoittaa: {reason}</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="301"/>
        <source>Saved {path}</source>
        <translation>Tallennettu {path}</translation>
    </message>
</context>
<context>
    <name>CertificateChangedDialog</name>
    <message>
        <location filename="../connect/dialogs.py" line="99"/>
        <source>Warning: certificate changed</source>
        <translation>Varoitus: varmenne on vaihtunut</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="102"/>
        <source>The certificate of {appliance} has CHANGED</source>
        <translation>Vaihteen {appliance} varmenne on VAIHTUNUT</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="112"/>
        <source>first {n} characters</source>
        <translation>ensimmäiset {n} merkkiä</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="116"/>
        <source>Do not connect</source>
        <translation>Älä yhdistä</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="117"/>
        <source>Trust the new certificate</source>
        <translation>Luota uuteen varmenteeseen</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="129"/>
        <source>The switchboard now presents a different certificate than the one this computer trusted. Either it has been reinstalled or reset, or another device on the network is pretending to be it. Nothing has been sent to it.</source>
        <translation>Vaihde esittää nyt eri varmenteen kuin se, johon tämä tietokone on luottanut. Joko vaihde on asennettu uudelleen tai palautettu tehdasasetuksiin, tai jokin muu laite verkossa esiintyy vaihteena. Sille ei ole lähetetty mitään.</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="132"/>
        <source>Trusted until now:</source>
        <translation>Tähän asti luotettu:</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="134"/>
        <source>Presented now:</source>
        <translation>Nyt esitetty:</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="137"/>
        <source>If you know the switchboard was reinstalled, check the new fingerprint with &lt;b&gt;paivystys status&lt;/b&gt; on the switchboard and type its first {n} characters here:</source>
        <translation>Jos tiedät, että vaihde on asennettu uudelleen, tarkista uusi sormenjälki vaihteella komennolla &lt;b&gt;paivystys status&lt;/b&gt; ja kirjoita sen {n} ensimmäistä merkkiä tähän:</translation>
    </message>
</context>
<context>
    <name>ConnectWindow</name>
    <message>
        <location filename="../connect/window.py" line="67"/>
        <source>Päivystysvaihde – connect</source>
        <translation>Päivystysvaihde – yhdistä</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="98"/>
        <source>e.g. 192.168.1.20 or vaihde.local</source>
        <translation>esim. 192.168.1.20 tai vaihde.local</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="100"/>
        <source>Connect</source>
        <translation>Yhdistä</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="106"/>
        <location filename="../connect/window.py" line="145"/>
        <source>Try again</source>
        <translation>Yritä uudelleen</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="119"/>
        <source>Connect to a switchboard</source>
        <translation>Yhdistä vaihteeseen</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="121"/>
        <source>Switchboards found on this network and ones used before:</source>
        <translation>Tästä verkosta löytyneet ja aiemmin käytetyt vaihteet:</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="123"/>
        <source>Or type its address:</source>
        <translation>Tai kirjoita vaihteen osoite:</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="139"/>
        <source>Log in</source>
        <translation>Kirjaudu</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="142"/>
        <source>Back</source>
        <translation>Takaisin</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="151"/>
        <source>Username:</source>
        <translation>Käyttäjätunnus:</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="152"/>
        <source>Password:</source>
        <translation>Salasana:</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="188"/>
        <source>used before as {user}</source>
        <translation>käytetty aiemmin tunnuksella {user}</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="189"/>
        <source>used before</source>
        <translation>käytetty aiemmin</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="209"/>
        <source>on this network</source>
        <translation>tässä verkossa</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="211"/>
        <source>on this network, used before</source>
        <translation>tässä verkossa, käytetty aiemmin</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="234"/>
        <source>That is not an address. Type e.g. 192.168.1.20, vaihde.local or https://vaihde.local:8443.</source>
        <translation>Tämä ei ole osoite. Kirjoita esim. 192.168.1.20, vaihde.local tai https://vaihde.local:8443.</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="242"/>
        <location filename="../connect/window.py" line="282"/>
        <source>Connecting to {address}…</source>
        <translation>Yhdistetään osoitteeseen {address}…</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="258"/>
        <source>Not connected: the certificate of {name} has changed.</source>
        <translation>Ei yhdistetty: vaihteen {name} varmenne on vaihtunut.</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="312"/>
        <source>Log in to {name}</source>
        <translation>Kirjaudu vaihteeseen {name}</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="326"/>
        <source>Type your username and password.</source>
        <translation>Kirjoita käyttäjätunnus ja salasana.</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="329"/>
        <source>Logging in…</source>
        <translation>Kirjaudutaan…</translation>
    </message>
</context>
<context>
    <name>Failures</name>
    <message>
        <location filename="../connect/messages.py" line="19"/>
        <source>Wrong username or password.</source>
        <translation>Väärä käyttäjätunnus tai salasana.</translation>
    </message>
    <message>
        <location filename="../connect/messages.py" line="21"/>
        <source>Your login has expired or was ended on the switchboard. Log in again.</source>
        <translation>Kirjautumisesi on vanhentunut tai se on lopetettu vaihteella. Kirjaudu uudelleen.</translation>
    </message>
    <message>
        <location filename="../connect/messages.py" line="25"/>
        <source>Too many wrong passwords: this user is locked until {time}. An admin can unlock it sooner.</source>
        <translation>Liian monta väärää salasanaa: käyttäjä on lukittu kello {time} asti. Ylläpitäjä voi avata lukon aiemmin.</translation>
    </message>
    <message>
        <location filename="../connect/messages.py" line="29"/>
        <source>Too many failed logins from this computer. Wait {seconds} s and try again.</source>
        <translation>Liian monta epäonnistunutta kirjautumista tältä tietokoneelta. Odota {seconds} s ja yritä uudelleen.</translation>
    </message>
    <message>
        <location filename="../connect/messages.py" line="34"/>
        <source>The switchboard does not answer. Check that it is powered on and that this computer is on the same network.</source>
        <translation>Vaihde ei vastaa. Tarkista, että se on päällä ja että tämä tietokone on samassa verkossa.</translation>
    </message>
    <message>
        <location filename="../connect/messages.py" line="38"/>
        <source>The switchboard presented a different certificate than the one you trusted. Nothing was sent to it. Connect again to see the details.</source>
        <translation>Vaihde esitti eri varmenteen kuin se, johon luotit. Sille ei lähetetty mitään. Yhdistä uudelleen nähdäksesi tiedot.</translation>
    </message>
    <message>
        <location filename="../connect/messages.py" line="42"/>
        <source>Your user is not allowed to do this.</source>
        <translation>Käyttäjätunnuksellasi ei ole oikeutta tähän.</translation>
    </message>
    <message>
        <location filename="../connect/messages.py" line="44"/>
        <source>It is no longer there: someone may have removed it meanwhile.</source>
        <translation>Sitä ei enää ole: joku on ehkä poistanut sen sillä välin.</translation>
    </message>
    <message>
        <location filename="../connect/messages.py" line="47"/>
        <source>The value of “{field}” was refused: {reason}</source>
        <translation>Kentän ”{field}” arvo hylättiin: {reason}</translation>
    </message>
    <message>
        <location filename="../connect/messages.py" line="51"/>
        <source>The switchboard refused the request: {reason}</source>
        <translation>Vaihde hylkäsi pyynnön: {reason}</translation>
    </message>
    <message>
        <location filename="../connect/messages.py" line="54"/>
        <source>The switchboard ran into an error. Try again; if it keeps happening, see its health page or log.</source>
        <translation>Vaihteessa tapahtui virhe. Yritä uudelleen; jos virhe toistuu, katso vaihteen kuntotiedot tai loki.</translation>
    </message>
</context>
<context>
    <name>FingerprintDialog</name>
    <message>
        <location filename="../connect/dialogs.py" line="59"/>
        <source>New switchboard</source>
        <translation>Uusi vaihde</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="61"/>
        <source>Is this your switchboard?</source>
        <translation>Onko tämä teidän vaihteenne?</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="63"/>
        <source>Cancel</source>
        <translation>Peruuta</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="64"/>
        <source>Trust and connect</source>
        <translation>Luota ja yhdistä</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="75"/>
        <source>This computer has not connected to {appliance} before. Its certificate fingerprint is:</source>
        <translation>Tämä tietokone ei ole ennen yhdistänyt vaihteeseen {appliance}. Sen varmenteen sormenjälki on:</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="79"/>
        <source>Compare it with what the command &lt;b&gt;paivystys status&lt;/b&gt; shows on the switchboard (or ask the person who installed it). Trust it only if they are the same: from then on this computer talks only to the switchboard with this certificate.</source>
        <translation>Vertaa sitä siihen, minkä komento &lt;b&gt;paivystys status&lt;/b&gt; näyttää vaihteella (tai kysy vaihteen asentajalta). Luota vain, jos ne ovat samat: sen jälkeen tämä tietokone keskustelee vain vaihteen kanssa, jolla on tämä varmenne.</translation>
    </message>
</context>
<context>
    <name>HealthStrip</name>
    <message>
        <location filename="../main/window.py" line="44"/>
        <source>Asterisk: …</source>
        <translation>Asterisk: …</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="45"/>
        <source>Trunk: …</source>
        <translation>Runkolinja: …</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="46"/>
        <source>Modem: …</source>
        <translation>Modeemi: …</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="47"/>
        <source>Disk: …</source>
        <translation>Levy: …</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="61"/>
        <source>Asterisk: running</source>
        <translation>Asterisk: käynnissä</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="62"/>
        <source>Asterisk: down</source>
        <translation>Asterisk: poissa käytöstä</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="62"/>
        <source>Asterisk: not known</source>
        <translation>Asterisk: ei tiedossa</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="63"/>
        <source>Trunk: registered</source>
        <translation>Runkolinja: rekisteröity</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="64"/>
        <source>Trunk: down</source>
        <translation>Runkolinja: poissa käytöstä</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="64"/>
        <source>Trunk: not known</source>
        <translation>Runkolinja: ei tiedossa</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="68"/>
        <source>Modem signal: {percent} %</source>
        <translation>Modeemin signaali: {percent} %</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="70"/>
        <source>Modem: registered</source>
        <translation>Modeemi: rekisteröity</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="71"/>
        <source>Modem: {state}</source>
        <translation>Modeemi: {state}</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="72"/>
        <source>Modem: not known</source>
        <translation>Modeemi: ei tiedossa</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="74"/>
        <source>Disk free: {gigabytes} GB</source>
        <translation>Levyä vapaana: {gigabytes} Gt</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="80"/>
        <source>Health not updated: {reason}</source>
        <translation>Tilaa ei päivitetty: {reason}</translation>
    </message>
</context>
<context>
    <name>LegsModel</name>
    <message>
        <location filename="../calllog/model.py" line="191"/>
        <source>Person</source>
        <translation>Henkilö</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="191"/>
        <source>Group</source>
        <translation>Ryhmä</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="191"/>
        <source>Stage</source>
        <translation>Vaihe</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="191"/>
        <source>Result</source>
        <translation>Tulos</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="192"/>
        <source>Rung</source>
        <translation>Soitettu</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="192"/>
        <source>Answered</source>
        <translation>Vastattu</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="204"/>
        <source>ringing</source>
        <translation>soi</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main/window.py" line="107"/>
        <source>Päivystysvaihde – {name}</source>
        <translation>Päivystysvaihde – {name}</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="118"/>
        <source>Calls</source>
        <translation>Puhelut</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="120"/>
        <source>Log out</source>
        <translation>Kirjaudu ulos</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="138"/>
        <source>Switchboard: {name} ({address})</source>
        <translation>Vaihde: {name} ({address})</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="157"/>
        <source>admin</source>
        <translation>ylläpitäjä</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="157"/>
        <source>on-call person</source>
        <translation>päivystäjä</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="159"/>
        <source>Logged in as {user} ({role})</source>
        <translation>Kirjautuneena {user} ({role})</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="164"/>
        <source>on duty</source>
        <translation>päivystämässä</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="164"/>
        <source>off duty</source>
        <translation>ei päivystämässä</translation>
    </message>
</context>
</TS>
